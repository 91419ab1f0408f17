package project

// HookReason says why a template's hooks run, or why they do not.
type HookReason int

// The reasons. Ask is no decision yet: only the user can make it.
const (
	Ask HookReason = iota
	// The hooks run:
	BuiltIn         // the template is built into scaffold
	TrustFlag       // --trust
	TrustedInConfig // a trust entry in the team config names it
	Confirmed       // the user said yes at the prompt
	// The hooks do not run:
	NoHooksFlag // --no-hooks
	NotTrusted  // untrusted in a dry run, which asks nothing
	Declined    // the user said no at the prompt
)

// HookDecision is whether a template's hooks run, and why.
type HookDecision struct {
	Reason HookReason
	// Config is the team config file that trusts the template, for
	// TrustedInConfig.
	Config string
}

// Run reports whether the hooks run.
func (d HookDecision) Run() bool { return d.Reason >= BuiltIn && d.Reason <= Confirmed }

// String is the reason in words, as output and JSON show it.
func (d HookDecision) String() string {
	switch d.Reason {
	case BuiltIn:
		return "built-in template"
	case TrustFlag:
		return "--trust"
	case TrustedInConfig:
		return "trusted in " + d.Config
	case Confirmed:
		return "confirmed at the prompt"
	case NoHooksFlag:
		return "--no-hooks"
	case NotTrusted:
		return "not trusted"
	case Declined:
		return "declined at the prompt"
	}
	return "not decided"
}

// HookTrust is what the decision on a template's hooks is made from.
type HookTrust struct {
	NoHooks bool // --no-hooks
	Trust   bool // --trust
	DryRun  bool
	// BuiltIn is true for a template built into scaffold.
	BuiltIn bool
	// TrustedIn is the team config file whose trust entry names the
	// template (its source and digest); empty when none does.
	TrustedIn string
}

// DecideHooks decides, ahead of any prompt, whether the hooks run:
// built-in templates are trusted, any other needs --trust or a trust
// entry in the team config, and --no-hooks wins over all. A dry run
// asks nothing, so an untrusted template's hooks are NotTrusted there;
// otherwise the decision is Ask.
func DecideHooks(t HookTrust) HookDecision {
	switch {
	case t.NoHooks:
		return HookDecision{Reason: NoHooksFlag}
	case t.BuiltIn:
		return HookDecision{Reason: BuiltIn}
	case t.Trust:
		return HookDecision{Reason: TrustFlag}
	case t.TrustedIn != "":
		return HookDecision{Reason: TrustedInConfig, Config: t.TrustedIn}
	case t.DryRun:
		return HookDecision{Reason: NotTrusted}
	}
	return HookDecision{Reason: Ask}
}
