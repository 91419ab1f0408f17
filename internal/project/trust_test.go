package project

import "testing"

func TestDecideHooks(t *testing.T) {
	tests := []struct {
		in   HookTrust
		want string
		run  bool
	}{
		{HookTrust{NoHooks: true, BuiltIn: true, Trust: true}, "--no-hooks", false},
		{HookTrust{BuiltIn: true, DryRun: true}, "built-in template", true},
		{HookTrust{Trust: true, TrustedIn: "/c.yaml"}, "--trust", true},
		{HookTrust{TrustedIn: "/c.yaml", DryRun: true}, "trusted in /c.yaml", true},
		{HookTrust{DryRun: true}, "not trusted", false},
		{HookTrust{}, "not decided", false},
	}
	for _, tt := range tests {
		got := DecideHooks(tt.in)
		if got.String() != tt.want || got.Run() != tt.run {
			t.Errorf("DecideHooks(%+v) = %q, run %v; want %q, run %v", tt.in, got, got.Run(), tt.want, tt.run)
		}
	}
	for d, want := range map[HookDecision]bool{{Reason: Confirmed}: true, {Reason: Declined}: false} {
		if d.Run() != want {
			t.Errorf("%s: Run() = %v", d, d.Run())
		}
	}
}
