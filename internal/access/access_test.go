package access

import (
	"testing"

	"nanduti/internal/core"
)

func actor(user, agency int64, roles ...core.Role) core.Actor {
	return core.Actor{UserID: user, AgencyID: agency, Roles: roles}
}

func TestRequiresSecondFactor(t *testing.T) {
	for _, r := range core.AllRoles {
		want := r != core.RoleAnalyst && r != core.RoleTrainer
		if got := RequiresSecondFactor([]core.Role{r}); got != want {
			t.Errorf("RequiresSecondFactor(%s) = %v, want %v", r, got, want)
		}
	}
	if RequiresSecondFactor(nil) {
		t.Error("no roles should not require a second factor")
	}
	if !RequiresSecondFactor([]core.Role{core.RoleAnalyst, core.RoleCaseworker}) {
		t.Error("any identity role in the set requires a second factor")
	}
}

func TestAnalystsNeverSeeIdentities(t *testing.T) {
	for _, set := range [][]core.Role{{core.RoleAnalyst}, {core.RoleTrainer}, {core.RoleAuditor}, {core.RoleAgencyAdmin}} {
		if MaySeeIdentities(set) {
			t.Errorf("%v may see identities", set)
		}
	}
}

func TestUserManagement(t *testing.T) {
	sys := actor(1, 1, core.RoleSystemAdmin)
	admin := actor(2, 10, core.RoleAgencyAdmin)
	officer := actor(3, 10, core.RoleInvestigator)
	cases := []struct {
		name         string
		a            core.Actor
		user, agency int64
		see, manage  bool
	}{
		{"system admin, other agency", sys, 9, 20, true, true},
		{"system admin, self", sys, 1, 1, true, false},
		{"agency admin, own agency", admin, 9, 10, true, true},
		{"agency admin, other agency", admin, 9, 20, false, false},
		{"agency admin, self", admin, 2, 10, true, false},
		{"officer, colleague", officer, 9, 10, false, false},
		{"officer, self", officer, 3, 10, true, false},
		{"cli operator", core.SystemActor, 9, 20, true, true},
	}
	for _, c := range cases {
		if got := CanSeeUser(c.a, c.user, c.agency); got != c.see {
			t.Errorf("%s: CanSeeUser = %v, want %v", c.name, got, c.see)
		}
		if got := CanManageUser(c.a, c.user, c.agency); got != c.manage {
			t.Errorf("%s: CanManageUser = %v, want %v", c.name, got, c.manage)
		}
	}
	if CanGrantRoles(admin, []core.Role{core.RoleSystemAdmin}) {
		t.Error("an agency admin must not create system admins")
	}
	if !CanGrantRoles(admin, []core.Role{core.RoleInvestigator, core.RoleAgencyAdmin}) {
		t.Error("an agency admin may create investigators and agency admins")
	}
	if CanGrantRoles(officer, []core.Role{core.RoleAnalyst}) {
		t.Error("an investigator must not grant roles")
	}
}

func TestAuditScope(t *testing.T) {
	if ok, _, _ := AuditScope(actor(1, 1, core.RoleSystemAdmin)); ok {
		t.Error("system admins are not auditors")
	}
	ok, all, agency := AuditScope(actor(1, 7, core.RoleAuditor))
	if !ok || all || agency != 7 {
		t.Errorf("auditor scope = %v %v %d", ok, all, agency)
	}
}

// Encoding persons for linkage opens every identity of the agency: only the roles that see
// identities may, never an administrator, analyst, trainer, auditor or the system actor.
func TestCanEncodePersonsForLinkage(t *testing.T) {
	for _, r := range core.AllRoles {
		want := MaySeeIdentities([]core.Role{r})
		if got := CanEncodePersonsForLinkage(actor(1, 7, r)); got != want {
			t.Errorf("%s: CanEncodePersonsForLinkage = %v, want %v", r, got, want)
		}
	}
	for _, a := range []core.Actor{core.SystemActor, actor(1, 7, core.RoleSystemAdmin, core.RoleAgencyAdmin),
		actor(0, 7, core.RoleInvestigator), actor(1, 0, core.RoleInvestigator), actor(1, 7)} {
		if CanEncodePersonsForLinkage(a) {
			t.Errorf("%+v may encode persons for linkage", a)
		}
	}
	if !CanEncodePersonsForLinkage(actor(1, 7, core.RoleAnalyst, core.RoleCaseworker)) {
		t.Error("a caseworker who is also an analyst sees identities and may encode")
	}
}
