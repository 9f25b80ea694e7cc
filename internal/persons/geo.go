package persons

// Department is a first-level division of Paraguay with its code from the national statistics
// office (INE). Asunción, the capital district, has code 00.
type Department struct {
	Code string
	Name string
}

// Departments are Paraguay's 17 departments and the capital, in code order. They are public
// knowledge and change rarely; a test checks them against the INE table in ../shared.
var Departments = []Department{
	{"00", "Asunción"},
	{"01", "Concepción"},
	{"02", "San Pedro"},
	{"03", "Cordillera"},
	{"04", "Guairá"},
	{"05", "Caaguazú"},
	{"06", "Caazapá"},
	{"07", "Itapúa"},
	{"08", "Misiones"},
	{"09", "Paraguarí"},
	{"10", "Alto Paraná"},
	{"11", "Central"},
	{"12", "Ñeembucú"},
	{"13", "Amambay"},
	{"14", "Canindeyú"},
	{"15", "Presidente Hayes"},
	{"16", "Boquerón"},
	{"17", "Alto Paraguay"},
}

// DepartmentByCode finds a department.
func DepartmentByCode(code string) (Department, bool) {
	for _, d := range Departments {
		if d.Code == code {
			return d, true
		}
	}
	return Department{}, false
}

// ValidDistrict reports whether district is a plausible INE district code of department: two
// digits, 00 for Asunción (the capital is a single district) and 01 to 99 elsewhere. The
// district list itself is not embedded: districts are created from time to time, and a new
// one must not be refused.
func ValidDistrict(department, district string) bool {
	if _, ok := DepartmentByCode(department); !ok {
		return false
	}
	if len(district) != 2 || district[0] < '0' || district[0] > '9' || district[1] < '0' || district[1] > '9' {
		return false
	}
	if department == "00" {
		return district == "00"
	}
	return district != "00"
}
