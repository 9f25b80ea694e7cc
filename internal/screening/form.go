package screening

// Form is what a screening form needs from a rulebook, in one language: the vocabularies with
// their one-line explanations, and the Delphi indicators grouped by dimension.
type Form struct {
	Rulebook   Ref             `json:"rulebook"`
	Lang       Lang            `json:"lang"`
	Acts       []FormOption    `json:"acts"`
	Dimensions []FormDimension `json:"dimensions"`
	Activities []FormOption    `json:"activities"`
	Hazards    []FormOption    `json:"hazards"`
	WorstForms []FormOption    `json:"worst_forms"`
	Caution    string          `json:"caution"`
}

// FormDimension is a Delphi dimension with its indicators, in rulebook order.
type FormDimension struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Indicators []FormOption `json:"indicators"`
}

// FormOption is one choice on the form: the id the input uses and its one-line explanation.
type FormOption struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Adult and Child are the Delphi strengths, for indicators only.
	Adult Strength `json:"adult,omitempty"`
	Child Strength `json:"child,omitempty"`
}

// Form returns the choices a screening form offers, in lang.
func (r *Rulebook) Form(lang Lang) Form {
	f := Form{Rulebook: r.Ref(), Lang: lang, Caution: msgs(lang).caution}
	terms := func(ts []Term) []FormOption {
		out := make([]FormOption, len(ts))
		for i, t := range ts {
			out[i] = FormOption{ID: t.ID, Label: t.Label.In(lang)}
		}
		return out
	}
	f.Acts = terms(r.Trafficking.Acts)
	f.Hazards = terms(r.ChildLabour.Hazards)
	f.WorstForms = terms(r.ChildLabour.WorstForms)
	for _, a := range r.ChildLabour.Activities {
		f.Activities = append(f.Activities, FormOption{ID: a.ID, Label: a.Label.In(lang)})
	}
	for _, d := range r.Trafficking.Dimensions {
		fd := FormDimension{ID: d.ID, Name: d.Name.In(lang)}
		for _, ind := range r.Trafficking.Indicators {
			if ind.Dimension == d.ID {
				fd.Indicators = append(fd.Indicators, FormOption{ID: ind.ID, Label: ind.Label.In(lang), Adult: ind.Adult, Child: ind.Child})
			}
		}
		f.Dimensions = append(f.Dimensions, fd)
	}
	return f
}
