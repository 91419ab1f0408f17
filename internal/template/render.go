package template

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/Masterminds/sprig/v3"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

// Limits bound what one render may produce and how long it may take, so
// a hostile or broken template fails with an error instead of filling the
// memory or the disk, or never ending. A template itself is bounded by
// tree.DefaultLimits when it is read.
const (
	MaxFileBytes  = 16 << 20
	MaxTotalBytes = 256 << 20
	// MaxItems bounds the lists until, untilStep and seq build.
	MaxItems = 100_000
	// ExecTimeout bounds one file, path or expression's execution.
	ExecTimeout = 10 * time.Second
	// RenderTimeout bounds a whole render, however many files it has.
	RenderTimeout = time.Minute
)

// Template is a loaded template: its manifest and its files.
type Template struct {
	Manifest *Manifest
	// Files is everything the template holds, in memory: the manifest,
	// the files rendered and the digest all come from it.
	Files *tree.Tree
	// Name says where the template came from, for messages.
	Name string
}

// Load reads and checks the manifest of the template in files. It adds
// no layers: a source that can read the folders a manifest includes
// loads with Compose.
func Load(files *tree.Tree, name string) (*Template, error) {
	m, err := LoadManifest(files, name)
	if err != nil {
		return nil, err
	}
	return &Template{Manifest: m, Files: files, Name: name}, nil
}

// Digest identifies the template's content (see tree.Tree.Digest).
func (t *Template) Digest() string { return t.Files.Digest() }

// File is one rendered file of the project.
type File struct {
	// Path is slash-separated and relative to the project root.
	Path string
	Mode fs.FileMode
	Data []byte
	// Link, when set, makes the file a symbolic link to this target.
	Link string
	// From is the template path the file was rendered from.
	From string
}

// Funcs is the function map templates see: sprig's hermetic set (no
// environment, clock, randomness or network), with the functions that
// build lists or repeat text bounded, since sprig would allocate whatever
// a template asks for (until 1e12).
func Funcs() template.FuncMap {
	m := sprig.HermeticTxtFuncMap()
	// sprig's "hermetic" set still holds functions that read the clock
	// (ago) or draw random numbers (randInt, shuffle, bcrypt salts, AES
	// IVs, generated keys): the same answers must give the same bytes.
	for _, name := range []string{"ago", "randInt", "shuffle", "bcrypt", "htpasswd", "encryptAES",
		"genCA", "genCAWithKey", "genPrivateKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
		"genSignedCert", "genSignedCertWithKey"} {
		delete(m, name)
	}
	m["until"] = func(n int) ([]int, error) { return untilStep(0, n, 1) }
	m["untilStep"] = untilStep
	m["seq"] = func(params ...int) (string, error) {
		start, stop, step := 1, 0, 1
		switch len(params) {
		case 1:
			stop = params[0]
			if stop < start {
				step = -1
			}
		case 2:
			start, stop = params[0], params[1]
			if stop < start {
				step = -1
			}
		case 3:
			start, step, stop = params[0], params[1], params[2]
		default:
			return "", errors.New("seq takes 1 to 3 numbers")
		}
		if step == 0 {
			return "", errors.New("seq: the step must not be 0")
		}
		// seq includes its end, untilStep does not.
		end := stop + 1
		if step < 0 {
			end = stop - 1
		}
		list, err := untilStep(start, end, step)
		if err != nil {
			return "", err
		}
		parts := make([]string, len(list))
		for i, n := range list {
			parts[i] = strconv.Itoa(n)
		}
		return strings.Join(parts, " "), nil
	}
	// replace makes its whole result in one allocation, before the heap
	// guard can see it grow: a 16 MiB text with a short old and a 4 KiB
	// new asked for 64 GB and ended the process. Its size is known first.
	m["replace"] = func(old, new, src string) (string, error) {
		if grow := len(new) - len(old); grow > 0 {
			if n := strings.Count(src, old); n > 0 && grow > (MaxFileBytes-len(src))/n {
				return "", fmt.Errorf("replace would make more than %d bytes", MaxFileBytes)
			}
		}
		return strings.ReplaceAll(src, old, new), nil
	}
	m["repeat"] = func(count int, s string) (string, error) {
		if count < 0 {
			return "", fmt.Errorf("repeat: negative count %d", count)
		}
		if len(s) > 0 && count > MaxFileBytes/len(s) {
			return "", fmt.Errorf("repeat %d times would make more than %d bytes", count, MaxFileBytes)
		}
		return strings.Repeat(s, count), nil
	}
	return m
}

// execTimeout and renderTimeout are ExecTimeout and RenderTimeout; tests
// shorten them.
var execTimeout, renderTimeout = ExecTimeout, RenderTimeout

func untilStep(start, stop, step int) ([]int, error) {
	if step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop) {
		return []int{}, nil
	}
	n := (stop - start) / step
	if (stop-start)%step != 0 {
		n++
	}
	if n > MaxItems || n < 0 {
		return nil, fmt.Errorf("a list of %d items is more than the %d a template may build", n, MaxItems)
	}
	list := make([]int, 0, n)
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		list = append(list, i)
	}
	return list, nil
}

// Eval renders a short piece of template text, such as a question's
// default or a when condition, against data.
func (t *Template) Eval(what, text string, data map[string]any) (string, error) {
	return t.eval(context.Background(), what, text, data)
}

// EvalContext is Eval, given up on when ctx ends: a question's default
// or condition may loop for up to ExecTimeout, and a template may have
// thousands of them, so a run must stop at Ctrl-C or SIGTERM between and
// during them, not only once all are done.
func (t *Template) EvalContext(ctx context.Context, what, text string, data map[string]any) (string, error) {
	return t.eval(ctx, what, text, data)
}

func (t *Template) eval(ctx context.Context, what, text string, data map[string]any) (string, error) {
	var buf bytes.Buffer
	if err := execute(ctx, &buf, what, text, data, MaxFileBytes); err != nil {
		return "", fmt.Errorf("%s: %s: %w", t.Name, what, err)
	}
	return buf.String(), nil
}

// EvalBool renders a when condition: it must give true or false.
func (t *Template) EvalBool(what, text string, data map[string]any) (bool, error) {
	return t.evalBool(context.Background(), what, text, data)
}

// EvalBoolContext is EvalBool, given up on when ctx ends (see EvalContext).
func (t *Template) EvalBoolContext(ctx context.Context, what, text string, data map[string]any) (bool, error) {
	return t.evalBool(ctx, what, text, data)
}

func (t *Template) evalBool(ctx context.Context, what, text string, data map[string]any) (bool, error) {
	if strings.TrimSpace(text) == "" {
		return true, nil
	}
	s, err := t.eval(ctx, what, text, data)
	if err != nil {
		return false, err
	}
	switch strings.TrimSpace(s) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, fmt.Errorf("%s: %s renders to %q; it must render to true or false", t.Name, what, s)
}

// Render renders every file of the template with data, in lexical order.
// Nothing is written: the caller decides where the files go. The result
// is checked as a tree (see package tree): no two paths collide on a disk
// that ignores case or Unicode normalization, links stay inside the
// project, resolved through each other, and nothing lies beneath a link.
// Cancelling ctx stops the render.
func (t *Template) Render(ctx context.Context, data map[string]any) ([]File, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, renderTimeout,
		fmt.Errorf("the render did not finish within %v; does a loop run too long?", renderTimeout))
	defer cancel()
	var files []File
	seen := map[string]string{} // folded output path -> template path
	total := 0
	err := fs.WalkDir(t.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", t.Name, context.Cause(ctx))
		}
		if p == "." || p == ManifestFile {
			return nil
		}
		// A template kept in its own repository carries .git; it is
		// never part of the project.
		if d.IsDir() && d.Name() == ".git" {
			return fs.SkipDir
		}
		include, verbatim, eachPart, err := t.rules(ctx, p, data)
		if err != nil {
			return err
		}
		if !include {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		each := []map[string]any{data}
		if eachPart {
			each = eachPartData(data)
		}
		for _, data := range each {
			f, err := t.renderFile(ctx, p, verbatim, data)
			if err != nil {
				return err
			}
			key := foldPath(f.Path)
			if other, ok := seen[key]; ok {
				return fmt.Errorf("%s: %s and %s both render to %s (or to names that differ only in case or Unicode normalization, which collide on macOS and Windows disks)", t.Name, other, p, f.Path)
			}
			seen[key] = p
			total += len(f.Data)
			if total > MaxTotalBytes {
				return fmt.Errorf("%s: the rendered project is larger than %d MiB; stopped at %s", t.Name, MaxTotalBytes>>20, p)
			}
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := t.checkRendered(files); err != nil {
		return nil, err
	}
	if err := t.checkFoldedFolders(files); err != nil {
		return nil, err
	}
	return files, nil
}

// checkFoldedFolders refuses a file or link named as a folder of the
// project is, but for case or Unicode normalization: on a disk that
// ignores both (macOS, Windows) they are one name, and the file cannot
// be written, or takes the folder's place. Files are compared with each
// other as they are rendered; two folders that differ so merge there,
// which loses nothing.
func (t *Template) checkFoldedFolders(files []File) error {
	type below struct{ dir, from, path string }
	dirs := map[string]below{} // Fold of a folder -> a file below it
	for _, f := range files {
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			k := foldPath(d)
			if _, ok := dirs[k]; ok {
				break // and so are the folders above it
			}
			dirs[k] = below{d, f.From, f.Path}
		}
	}
	for _, f := range files {
		if b, ok := dirs[foldPath(f.Path)]; ok && b.dir != f.Path {
			return fmt.Errorf("%s: %s renders to %s, and %s renders to %s, in a folder %s: names that differ only in case or Unicode normalization, which collide on macOS and Windows disks", t.Name, f.From, f.Path, b.from, b.path, b.dir)
		}
	}
	return nil
}

// foldPath is the name a case-insensitive, normalization-insensitive
// disk (macOS, Windows) sees.
func foldPath(p string) string {
	return tree.Fold(p)
}

// checkRendered applies the tree rules to the rendered project, where
// paths may differ from the template's: a link that stayed inside the
// template must also stay inside the project.
func (t *Template) checkRendered(files []File) error {
	entries := make([]tree.Entry, len(files))
	for i, f := range files {
		entries[i] = tree.Entry{Path: f.Path, Mode: f.Mode, Data: f.Data, Link: f.Link}
		if f.Link != "" {
			entries[i].Mode = fs.ModeSymlink
		}
	}
	_, err := tree.New(entries)
	var te *tree.Error
	if errors.As(err, &te) {
		for _, f := range files {
			if f.Path == te.Path {
				return fmt.Errorf("%s: %s renders to %s, which %s", t.Name, f.From, f.Path, te.Msg)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", t.Name, err)
	}
	return nil
}

func (t *Template) renderFile(ctx context.Context, p string, verbatim bool, data map[string]any) (File, error) {
	out, err := t.renderPath(ctx, p, verbatim, data)
	if err != nil {
		return File{}, err
	}
	e, ok := t.Files.Lookup(p)
	if !ok {
		return File{}, fmt.Errorf("%s: %s vanished", t.Name, p)
	}
	f := File{Path: out, From: p, Mode: 0o644}
	if e.IsLink() {
		// The tree holds only links that stay inside the template.
		f.Link = e.Link
		return f, nil
	}
	if e.Mode&0o111 != 0 {
		f.Mode = 0o755
	}
	if verbatim || !strings.HasSuffix(p, ".tmpl") {
		f.Data = e.Data
		return f, nil
	}
	var buf bytes.Buffer
	if err := execute(ctx, &buf, p, string(e.Data), data, MaxFileBytes); err != nil {
		return File{}, fmt.Errorf("%s: %w", t.Name, err)
	}
	f.Data = buf.Bytes()
	return f, nil
}

// renderPath renders each segment of a template path, drops the .tmpl
// suffix and checks that the result stays inside the project.
func (t *Template) renderPath(ctx context.Context, p string, verbatim bool, data map[string]any) (string, error) {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if !strings.Contains(seg, "{{") {
			continue
		}
		var buf bytes.Buffer
		if err := execute(ctx, &buf, p, seg, data, 4096); err != nil {
			return "", fmt.Errorf("%s: path %s: %w", t.Name, p, err)
		}
		segs[i] = buf.String()
	}
	out := strings.Join(segs, "/")
	if !verbatim {
		out = strings.TrimSuffix(out, ".tmpl")
	}
	if err := CheckPath(out); err != nil {
		return "", fmt.Errorf("%s: %s renders to an unsafe path: %w", t.Name, p, err)
	}
	return out, nil
}

// rules applies the manifest's files rules to a template path: whether
// it is included and whether it is copied verbatim.
func (t *Template) rules(ctx context.Context, p string, data map[string]any) (include, verbatim, each bool, err error) {
	for _, r := range t.Manifest.Files {
		ok, err := matchRule(r.Path, p)
		if err != nil || !ok {
			continue
		}
		if r.When != "" {
			on, err := t.evalBool(ctx, "files rule "+r.Path+" when", r.When, data)
			if err != nil {
				return false, false, false, err
			}
			if !on {
				return false, false, false, nil
			}
		}
		verbatim = verbatim || r.Verbatim
		each = each || r.Each == EachPart
	}
	return true, verbatim, each, nil
}

// eachPartData is data once for each of its Parts, with Part set to it:
// what a file of an each: parts rule is rendered with. A workspace of no
// parts renders no such file.
func eachPartData(data map[string]any) []map[string]any {
	parts, _ := data["Parts"].([]map[string]any)
	out := make([]map[string]any, len(parts))
	for i, part := range parts {
		out[i] = maps.Clone(data)
		out[i]["Part"] = part
	}
	return out
}

// matchRule reports whether rule names p: the path itself, a folder
// above it, or a glob where ** stands for any number of folders.
func matchRule(rule, p string) (bool, error) {
	rule = strings.TrimSuffix(strings.TrimPrefix(rule, "./"), "/")
	if rule == p || strings.HasPrefix(p, rule+"/") {
		return true, nil
	}
	return globMatch(strings.Split(rule, "/"), strings.Split(p, "/"))
}

func globMatch(pat, segs []string) (bool, error) {
	// Every (pattern, path) position pair is settled once, so a rule of
	// many ** segments against a deep path costs a few thousand steps
	// rather than an exponential number. memo: 0 unknown, 1 no, 2 yes.
	memo := make([]int8, (len(pat)+1)*(len(segs)+1))
	var match func(i, j int) (bool, error)
	match = func(i, j int) (bool, error) {
		if i == len(pat) {
			// A pattern that names a folder matches everything below it.
			return true, nil
		}
		k := i*(len(segs)+1) + j
		if memo[k] != 0 {
			return memo[k] == 2, nil
		}
		var ok bool
		var err error
		switch {
		case pat[i] == "**":
			for n := j; n <= len(segs) && !ok && err == nil; n++ {
				ok, err = match(i+1, n)
			}
		case j < len(segs):
			if ok, err = path.Match(pat[i], segs[j]); ok && err == nil {
				ok, err = match(i+1, j+1)
			}
		}
		if err != nil {
			return false, err
		}
		memo[k] = 1
		if ok {
			memo[k] = 2
		}
		return ok, nil
	}
	return match(0, 0)
}

// CheckPath refuses a rendered path that could land outside the project
// or in a place scaffold owns.
func CheckPath(p string) error {
	switch {
	case p == "":
		return errors.New("the path is empty")
	case strings.ContainsRune(p, 0):
		return errors.New("the path has a NUL byte")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q is absolute", p)
	case strings.Contains(p, "\\"):
		return fmt.Errorf("%q has a backslash, which is a separator on Windows", p)
	case len(p) >= 2 && p[1] == ':':
		return fmt.Errorf("%q starts with a Windows drive", p)
	}
	if !utf8.ValidString(p) {
		return fmt.Errorf("%q is not valid UTF-8", p)
	}
	for _, r := range p {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Errorf("%q has a control character", p)
		case unicode.Is(unicode.Cf, r):
			// Invisible format characters: macOS ignores some in names
			// (.g\u200cit is .git there) and bidi controls disguise them.
			return fmt.Errorf("%q has the invisible character %U", p, r)
		}
	}
	for _, seg := range strings.Split(p, "/") {
		// Windows ignores the extension and the spaces before it:
		// "nul .txt" is NUL.
		stem, _, _ := strings.Cut(strings.ToLower(seg), ".")
		stem = strings.TrimRight(stem, " ")
		switch {
		case seg == "":
			return fmt.Errorf("%q has an empty path segment", p)
		case seg == "." || seg == "..":
			return fmt.Errorf("%q has a %q segment", p, seg)
		case strings.ContainsRune(seg, ':'):
			return fmt.Errorf("%q has a ':', which Windows reserves", p)
		case strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " "):
			// Windows drops them: ".git." would be .git there.
			return fmt.Errorf("%q has a name ending in a dot or space, which Windows drops", p)
		case strings.EqualFold(seg, ".git"), strings.EqualFold(seg, "git~1"):
			// Also below the top: a nested .git is another repository,
			// with hooks of its own. git~1 is its short name on Windows.
			return fmt.Errorf("%q is inside a .git folder, which only git writes", p)
		case windowsReserved[stem]:
			return fmt.Errorf("%q uses %q, a device name Windows reserves", p, seg)
		}
	}
	return nil
}

// windowsReserved are names Windows refuses for files, with any extension
// (the list of Microsoft's "Naming Files", as Go's filepath.IsLocal
// takes it): COM and LPT with 0 to 9 or a superscript ¹ ² ³, and
// CONIN$ and CONOUT$, which open the console.
var windowsReserved = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true, "conin$": true, "conout$": true,
	"com0": true, "com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"com¹": true, "com²": true, "com³": true,
	"lpt0": true, "lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
	"lpt¹": true, "lpt²": true, "lpt³": true,
}

func execute(ctx context.Context, w io.Writer, name, text string, data map[string]any, limit int) error {
	var stop atomic.Bool
	// Parsing and execution run aside so a template that loops without
	// end (range over a huge number) or grows without bound is
	// abandoned: stop makes it fail at its next function call. Parsing
	// is watched too: 16 MiB of {{1}} is a parse tree of 1.2 GB.
	var out bytes.Buffer
	lw := &limitWriter{w: &out, n: limit}
	done := make(chan error, 1)
	base := liveHeap()
	go func() {
		tmpl, err := template.New(name).Funcs(guarded(Funcs(), &stop)).Option("missingkey=error").Parse(text)
		if err != nil {
			done <- err
			return
		}
		done <- tmpl.Execute(lw, data)
	}()
	timer := time.NewTimer(execTimeout)
	defer timer.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	defer stop.Store(true)
wait:
	for {
		select {
		case err := <-done:
			if err != nil {
				if lw.over {
					return &overLimit{fmt.Sprintf("%s renders to more than %d bytes; is a loop or repeat out of bounds?", name, limit)}
				}
				return err
			}
			break wait
		case <-timer.C:
			return fmt.Errorf("%s did not finish rendering within %v; does a loop never end?", name, execTimeout)
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-tick.C:
			// The live heap counts from the last collection: the
			// lowest value seen is the best base.
			h := liveHeap()
			base = min(base, h)
			if h-base > maxExecHeap {
				return fmt.Errorf("%s took more than %d MiB of memory to render; does a loop or a template calling itself build ever larger values?", name, maxExecHeap>>20)
			}
		}
	}
	_, err := w.Write(out.Bytes())
	return err
}

// overLimit is a render that wrote more than its limit.
type overLimit struct{ msg string }

func (e *overLimit) Error() string { return e.msg }

// limitWriter fails once more than n bytes have been written, which
// stops a template execution that would never end on its own.
type limitWriter struct {
	w    io.Writer
	n    int
	over bool
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		l.over = true
		return 0, errors.New("output limit reached")
	}
	l.n -= len(p)
	return l.w.Write(p)
}
