package targets

import (
	"testing"
)

func TestFunctionsReadClientsFromMain(t *testing.T) {
	fns, err := Functions("../../../..")
	if err != nil {
		t.Fatalf("Functions: %v", err)
	}
	got := map[string]Clients{}
	for _, f := range fns {
		if f.Kind != Function || f.Package != "./functions/"+f.Name {
			t.Errorf("target %+v, want a function built from ./functions/%s", f, f.Name)
		}
		got[f.Name] = f.Clients
	}
	want := map[string]Clients{
		"getlink":        {},
		"token":          {KMS: true},
		"rotatelink":     {SQS: true},
		"rotationworker": {KMS: true, SQS: true},
	}
	for name, clients := range want {
		if c, ok := got[name]; !ok || c != clients {
			t.Errorf("%s clients = %v (found %v), want %v", name, c, ok, clients)
		}
	}
}

func TestBaselinesCoverEveryClientSet(t *testing.T) {
	fns := []Target{
		{Name: "a", Kind: Function},
		{Name: "b", Kind: Function, Clients: Clients{KMS: true}},
		{Name: "c", Kind: Function},
	}
	bs := Baselines(fns)
	if len(bs) != 5 || bs[0].Kind != Empty {
		t.Fatalf("baselines = %+v, want empty plus two floors for each of two client sets", bs)
	}
	for _, f := range fns {
		for _, k := range []Kind{Floor, FloorDefault} {
			fl, ok := FloorOf(bs, f, k)
			if !ok {
				t.Errorf("no %s for %s", k, f.Name)
				continue
			}
			hasKMS := false
			for _, tag := range fl.Tags {
				hasKMS = hasKMS || tag == "floor_kms"
			}
			if hasKMS != f.Clients.KMS {
				t.Errorf("%s tags %v, want floor_kms only when the function builds KMS", fl.Name, fl.Tags)
			}
		}
	}
}
