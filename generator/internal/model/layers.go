package model

import (
	"fmt"
	"reflect"
	"strconv"
	"sync"

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
		st := stepOf(dv.Type(), k)
		f := dv.Field(st.dst)
		setDefault(f, st.key)
		for i := range layers {
			src := reflect.ValueOf(&layers[i]).Elem() // no copy of the layer
			sf := src.Field(st.src).Addr().Interface()
			switch x := sf.(type) {
			case *config.Int:
				if x.Set {
					f.SetInt(int64(x.V))
				}
			case *config.Str:
				if x.V != "" {
					f.SetString(x.V)
				}
			case *[]config.Str:
				if src.Field(st.set).Bool() {
					f.Set(reflect.ValueOf(values(*x)))
				}
			case *[]config.KV:
				if maps == nil {
					maps = map[string]map[string]string{}
				}
				if maps[st.key.Name] == nil {
					maps[st.key.Name] = map[string]string{}
				}
				for _, kv := range *x {
					maps[st.key.Name][kv.Key] = kv.Value.V
				}
			default: // a pointer to a mapping (planOf checked it)
				if p := src.Field(st.src); !p.IsNil() {
					f.Set(object(st.key, p.Elem(), f.Type().Elem()))
				}
			}
		}
	}
	return maps
}

// step is how layer merges one key into one model struct: the indexes of
// the model field, of the config.Settings field of the same name and, for
// a list, of its <Field>Set.
type step struct {
	key           settings.Key
	dst, src, set int
}

// steps caches stepOf's answers, by model type and key.
var steps struct {
	sync.RWMutex
	m map[stepKey]step
}

type stepKey struct {
	t   reflect.Type
	key string
}

// stepOf finds, once per model type and key, the fields layer merges; it
// panics on a key the type or config.Settings cannot carry
// (TestMergedKeys catches that first).
func stepOf(t reflect.Type, k settings.Key) step {
	sk := stepKey{t, k.Name}
	steps.RLock()
	st, ok := steps.m[sk]
	steps.RUnlock()
	if ok {
		return st
	}
	cs := reflect.TypeFor[config.Settings]()
	_, df := taggedField(reflect.New(t).Elem(), k.Name)
	sf, ok := cs.FieldByName(df.Name)
	if !ok {
		panic(fmt.Sprintf("model: setting %s: config.Settings has no field %s", k.Name, df.Name))
	}
	st = step{key: k, dst: df.Index[0], src: sf.Index[0], set: -1}
	switch sf.Type {
	case reflect.TypeFor[config.Int](), reflect.TypeFor[config.Str](), reflect.TypeFor[[]config.KV]():
	case reflect.TypeFor[[]config.Str]():
		set, ok := cs.FieldByName(df.Name + "Set")
		if !ok || set.Type.Kind() != reflect.Bool {
			panic(fmt.Sprintf("model: setting %s: config.Settings has no %sSet", k.Name, df.Name))
		}
		st.set = set.Index[0]
	default:
		if sf.Type.Kind() != reflect.Pointer || df.Type.Kind() != reflect.Pointer {
			panic(fmt.Sprintf("model: setting %s: cannot merge %s into %s", k.Name, sf.Type, df.Type))
		}
	}
	steps.Lock()
	if steps.m == nil {
		steps.m = map[stepKey]step{}
	}
	steps.m[sk] = st
	steps.Unlock()
	return st
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
