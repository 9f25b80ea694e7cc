package core

// ShareLevel is how much of a case, and of the persons in it, another agency may see. The
// owning agency always has full access; other agencies have none until the owner shares.
type ShareLevel string

// The sharing levels of DESIGN.md, from least to most.
const (
	ShareNone        ShareLevel = ""            // not shared: the case does not exist for them
	ShareStatistical ShareLevel = "statistical" // counts only
	ShareOperational ShareLevel = "operational" // case facts; persons by pseudonym
	ShareFull        ShareLevel = "full"        // identities too, each view audited
)

// ShareLevels lists the levels an owner can grant, in increasing order.
var ShareLevels = []ShareLevel{ShareStatistical, ShareOperational, ShareFull}

// AtLeast reports whether l grants at least what min grants.
func (l ShareLevel) AtLeast(min ShareLevel) bool { return l.rank() >= min.rank() }

func (l ShareLevel) rank() int {
	switch l {
	case ShareStatistical:
		return 1
	case ShareOperational:
		return 2
	case ShareFull:
		return 3
	}
	return 0
}

// ParseShareLevel returns the level named s and whether it is one an owner can grant.
func ParseShareLevel(s string) (ShareLevel, bool) {
	for _, l := range ShareLevels {
		if string(l) == s {
			return l, true
		}
	}
	return ShareNone, false
}
