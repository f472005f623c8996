package model

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/settings"
)

// tagged is the setting keys of t's fields, in field order.
func tagged(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if k := t.Field(i).Tag.Get(settingTag); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func names(keys []settings.Key) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.Name)
	}
	return out
}

// TestMergedKeys: the keys the model merges are the table's layered
// function settings, no more and no fewer, and each is read from the
// config.Settings field of its field's name with a type layer knows.
func TestMergedKeys(t *testing.T) {
	perEnv, built := names(settings.LayeredKeys(settings.PerEnv)), names(settings.LayeredKeys(settings.Built))
	if len(perEnv) == 0 || len(built) == 0 {
		t.Fatalf("the table layers nothing: PerEnv %v, Built %v", perEnv, built)
	}
	for _, c := range []struct {
		typ  reflect.Type
		want []string
	}{
		{reflect.TypeFor[RouteValues](), perEnv},
		{reflect.TypeFor[Route](), built},
		{reflect.TypeFor[Authorizer](), built},
	} {
		if got := tagged(c.typ); !slices.Equal(got, c.want) {
			t.Errorf("%s merges %v; the table layers %v: tag a field (named as in config.Settings) per key", c.typ.Name(), got, c.want)
		}
	}
	// The fields of an Object key's value are its group's keys.
	for _, k := range settings.LayeredKeys(settings.PerEnv) {
		if k.Type != settings.Object {
			continue
		}
		f, _ := reflect.TypeFor[RouteValues]().FieldByName(fieldName(t, k.Name))
		if got, want := tagged(f.Type.Elem()), names(settings.KeysOf(k.Group)); !slices.Equal(got, want) {
			t.Errorf("%s: %s has fields for %v; the table's %s group has %v", k.Name, f.Type.Elem().Name(), got, k.Group, want)
		}
	}
	cs := reflect.TypeFor[config.Settings]()
	for _, k := range append(settings.LayeredKeys(settings.Built), settings.LayeredKeys(settings.PerEnv)...) {
		name := fieldName(t, k.Name)
		f, ok := cs.FieldByName(name)
		if !ok {
			t.Errorf("%s: config.Settings has no field %s to read it from", k.Name, name)
			continue
		}
		want := map[settings.Type]reflect.Type{
			settings.Int: reflect.TypeFor[config.Int](), settings.String: reflect.TypeFor[config.Str](),
			settings.StringList: reflect.TypeFor[[]config.Str](), settings.StringMap: reflect.TypeFor[[]config.KV](),
		}[k.Type]
		switch {
		case k.Type == settings.Object:
			if f.Type.Kind() != reflect.Pointer {
				t.Errorf("%s: config.Settings.%s is %s, not a pointer to a mapping", k.Name, name, f.Type)
			}
		case want == nil:
			t.Errorf("%s: layer cannot merge a %s", k.Name, k.Type)
		case f.Type != want:
			t.Errorf("%s: config.Settings.%s is %s, layer reads %s", k.Name, name, f.Type, want)
		}
		if k.Type == settings.StringList {
			if s, ok := cs.FieldByName(name + "Set"); !ok || s.Type.Kind() != reflect.Bool {
				t.Errorf("%s: config.Settings has no %sSet bool to say a layer sets the list", k.Name, name)
			}
		}
	}
}

// fieldName is the Go name of the field of Route or RouteValues tagged key.
func fieldName(t *testing.T, key string) string {
	t.Helper()
	for _, typ := range []reflect.Type{reflect.TypeFor[RouteValues](), reflect.TypeFor[Route]()} {
		for i := range typ.NumField() {
			if typ.Field(i).Tag.Get(settingTag) == key {
				return typ.Field(i).Name
			}
		}
	}
	t.Fatalf("no field is tagged %s", key)
	return ""
}

// TestTableDefaults: what a function gets when routes.yaml sets nothing is
// the table's literal default of each key (zero where it is computed).
func TestTableDefaults(t *testing.T) {
	m := build(t, `api: {name: shop}
routes:
  - {name: a, method: GET, path: /a, handler: functions/a}
`)
	rt, v := routeOf(t, m, "a"), envOf(t, m, "dev").Routes["a"]
	for _, k := range append(settings.LayeredKeys(settings.Built), settings.LayeredKeys(settings.PerEnv)...) {
		var got any
		if k.Layers == settings.Built {
			got = Setting(rt, k.Name)
		} else {
			got = Setting(v, k.Name)
		}
		want := ""
		if k.DefaultLiteral() {
			want = k.Default
		}
		if s := reflect.ValueOf(got); want == "" && !s.IsZero() || want != "" && fmt.Sprint(got) != want {
			t.Errorf("%s: built in %v, table default %q", k.Name, got, k.Default)
		}
	}
	if got := envOf(t, m, "dev").AccessLogRetention; fmt.Sprint(got) != settings.Lookup(settings.Function, "log_retention_days").Default {
		t.Errorf("stage log retention %d, not the table's default", got)
	}
}
