package access

import "nanduti/internal/core"

// Statistics are counts that leave the system only through disclosure control, so they are
// read by the people whose work is counting: analysts, agency administrators (who answer for
// their agency's figures) and system administrators. Case-database tables count the cases the
// actor's agency owns or has been shared at any level (statistical sharing exists for this);
// system administrators count every agency's.
//
// Analysis datasets are published CTDC files imported into the system. They hold no person,
// but an agency's upload stays its own: a dataset is seen by the owning agency's statistics
// users, or by every one of them when it is shared (owner 0, imported by the operator or a
// system administrator). Analysts and system administrators import them.

// CanUseStats reports whether the actor may see statistics tables, charts and reports and
// download them.
func CanUseStats(a core.Actor) bool {
	return a.System || (a.UserID != 0 && a.HasAny(core.RoleAnalyst, core.RoleAgencyAdmin, core.RoleSystemAdmin))
}

// CanCountAllAgencies reports whether the actor's case-database tables count every agency's
// cases rather than those its agency owns or has been shared.
func CanCountAllAgencies(a core.Actor) bool {
	return a.System || a.Has(core.RoleSystemAdmin)
}

// CanImportDataset reports whether the actor may import a CTDC file as an analysis dataset.
func CanImportDataset(a core.Actor) bool {
	return a.System || (a.UserID != 0 && a.HasAny(core.RoleAnalyst, core.RoleSystemAdmin))
}

// DatasetOwner is the owner a dataset imported by the actor gets: 0 (shared with every agency)
// for the operator and system administrators, the actor's agency otherwise.
func DatasetOwner(a core.Actor) int64 {
	if a.System || a.Has(core.RoleSystemAdmin) {
		return 0
	}
	return a.AgencyID
}

// CanSeeDataset reports whether the actor may use a dataset owned by ownerAgencyID (0 when
// shared).
func CanSeeDataset(a core.Actor, ownerAgencyID int64) bool {
	if !CanUseStats(a) {
		return false
	}
	return ownerAgencyID == 0 || a.System || a.Has(core.RoleSystemAdmin) || ownerAgencyID == a.AgencyID
}
