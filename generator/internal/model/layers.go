package model

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/settings"
)

// The function settings are merged by walking the settings table: a key
// layered settings.PerEnv is the field of RouteValues tagged
// `setting:"<key>"`, one layered settings.Built the field of Route and of
// Authorizer so tagged; each layer's value is the config.Settings field of
// the same Go name. The table's default is the value before the first
// layer (none when it is computed). By the field's source type:
//
//   - config.Int: the last layer that sets it wins;
//   - config.Str: the last layer that sets a non-empty value wins;
//   - []config.Str: the last layer whose <Field>Set is true replaces the list;
//   - []config.KV (a mapping of strings): merged name by name, the last
//     wins; layer returns the result for the caller to turn into the
//     field's value (environment variables: references and secrets);
//   - a pointer to a config struct (an Object): the last layer that has
//     it replaces the whole mapping, its keys (those of the key's group)
//     copied into the fields tagged with them.
//
// TestMergedKeys holds the tagged fields equal to the table's keys.
const settingTag = "setting"

// taggedField is the field of the struct sv tagged key.
func taggedField(sv reflect.Value, key string) (reflect.Value, reflect.StructField) {
	t := sv.Type()
	for i := range t.NumField() {
		if t.Field(i).Tag.Get(settingTag) == key {
			return sv.Field(i), t.Field(i)
		}
	}
	panic(fmt.Sprintf("model: %s has no field tagged %s:%q", t.Name(), settingTag, key))
}

// Setting is the value of the field of x (a struct, or a pointer to one,
// of this package) that carries the function setting key; render reads
// RouteValues and VPC through it, walking the table.
func Setting(x any, key string) any {
	v := reflect.ValueOf(x)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f, _ := taggedField(v, key)
	return f.Interface()
}

// layer merges the keys from layers (first to last) into the struct dst
// points to. It returns the merged mappings of the StringMap keys, by key.
func layer(dst any, keys []settings.Key, layers []config.Settings) map[string]map[string]string {
	dv := reflect.ValueOf(dst).Elem()
	var maps map[string]map[string]string
	for _, k := range keys {
		f, sf := taggedField(dv, k.Name)
		setDefault(f, k)
		for _, s := range layers {
			sv := reflect.ValueOf(s)
			src := sv.FieldByName(sf.Name)
			switch x := src.Interface().(type) {
			case config.Int:
				if x.Set {
					f.SetInt(int64(x.V))
				}
			case config.Str:
				if x.V != "" {
					f.SetString(x.V)
				}
			case []config.Str:
				if sv.FieldByName(sf.Name + "Set").Bool() {
					f.Set(reflect.ValueOf(values(x)))
				}
			case []config.KV:
				if maps == nil {
					maps = map[string]map[string]string{}
				}
				if maps[k.Name] == nil {
					maps[k.Name] = map[string]string{}
				}
				for _, kv := range x {
					maps[k.Name][kv.Key] = kv.Value.V
				}
			default:
				if src.Kind() != reflect.Pointer || f.Kind() != reflect.Pointer {
					panic(fmt.Sprintf("model: setting %s: cannot merge %s into %s", k.Name, src.Type(), f.Type()))
				}
				if !src.IsNil() {
					f.Set(object(k, src.Elem(), f.Type().Elem()))
				}
			}
		}
	}
	return maps
}

// object copies a config mapping (src) into a new model struct of type t
// (an Object key's value): each key of the key's group into the field
// tagged with it, from the config field of the same Go name.
func object(k settings.Key, src reflect.Value, t reflect.Type) reflect.Value {
	out := reflect.New(t)
	for _, sub := range settings.KeysOf(k.Group) {
		f, sf := taggedField(out.Elem(), sub.Name)
		switch x := src.FieldByName(sf.Name).Interface().(type) {
		case []config.Str:
			f.Set(reflect.ValueOf(values(x)))
		case config.Str:
			f.SetString(x.V)
		case config.Int:
			f.SetInt(int64(x.V))
		default:
			panic(fmt.Sprintf("model: setting %s.%s: cannot copy %T", k.Name, sub.Name, x))
		}
	}
	return out
}

// setDefault sets f to the key's default when the table gives a literal
// one (an integer or a string); otherwise f stays the zero value.
func setDefault(f reflect.Value, k settings.Key) {
	if !k.DefaultLiteral() {
		return
	}
	switch k.Type {
	case settings.Int:
		n, err := strconv.Atoi(k.Default)
		if err != nil {
			panic(fmt.Sprintf("model: setting %s: default %q is not a whole number", k.Name, k.Default))
		}
		f.SetInt(int64(n))
	case settings.String:
		f.SetString(k.Default)
	default:
		panic(fmt.Sprintf("model: setting %s: no literal default of type %s", k.Name, k.Type))
	}
}

// Keys layered the same way for every function, read from the table once.
var (
	builtKeys  = settings.LayeredKeys(settings.Built)
	perEnvKeys = settings.LayeredKeys(settings.PerEnv)
)
