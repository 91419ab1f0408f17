package project

import (
	"context"
	"time"

	"github.com/scaffold-cli/scaffold/internal/answer"
	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/usererr"
)

// GenerateInput is what a project is generated from: the template, the
// project's names and who makes it when, and the answers' sources.
type GenerateInput struct {
	Opened  *source.Opened
	Project names.Project
	Author  string
	Now     time.Time
	// Version is scaffold's, recorded and given as .Scaffold.Version.
	Version string
	Goals   []string
	Team    string
	Answers answer.Options
}

// Generated is a project as scaffold new writes it, still in memory.
type Generated struct {
	Answered *answer.Result
	// Rendered is what the template rendered; Files adds the record.
	Rendered []template.File
	Files    []template.File
	Secrets  template.Secrets
	// Private are the rendered files that hold a secret answer: they go
	// to disk, never into git.
	Private []string
	Record  *Record
}

// Generate answers the template's questions, renders it and adds the
// record: the one way scaffold new and scaffold serve make a project, so
// the two give the same bytes for the same answers.
func Generate(ctx context.Context, in GenerateInput) (*Generated, error) {
	data := Data(DataInput{Project: in.Project, Author: in.Author, Year: in.Now.Year(), Version: in.Version, Goals: in.Goals})
	tmpl := in.Opened.Template
	answered, err := answer.Questions(ctx, tmpl, data, in.Answers)
	if err != nil {
		return nil, err
	}
	rendered, secrets, err := Render(ctx, tmpl, answered)
	if err != nil {
		return nil, err
	}
	g := &Generated{Answered: answered, Rendered: rendered, Secrets: secrets, Private: Present(rendered, secrets.Paths)}
	g.Record = &Record{
		Scaffold: in.Version,
		Template: TemplateOf(in.Opened),
		Project:  in.Project.Name,
		Author:   in.Author,
		Year:     in.Now.Year(),
		Goals:    in.Goals,
		Team:     in.Team,
		Answers:  answered.Recorded,
	}
	g.Record.SecretFiles = g.Record.KeepSecretFiles(g.Private, secrets.Shown)
	if g.Files, err = WithRecord(rendered, g.Record); err != nil {
		return nil, usererr.Wrap(err)
	}
	return g, nil
}
