package flagconfig

import (
	"flag"
	"fmt"

	"github.com/knadh/koanf/providers/basicflag"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/v2"
)

// Source is where a flag's effective value came from.
type Source string

// The sources, from the weakest.
const (
	Default  Source = "default"
	FromFile Source = "file"
	FromEnv  Source = "env"
	FromFlag Source = "flag"
)

// Sources are where each flag's value came from, by flag name.
type Sources map[string]Source

// Apply lays a checked file under fs, after fs parsed the command line: a
// flag takes the file's value only when it was given neither on the
// command line nor through its environment variable (which the flag's
// definition already read into its default). f may be nil: no file. It
// returns where every flag's value came from.
func (s Spec) Apply(fs *flag.FlagSet, f *File) (Sources, error) {
	sources := s.sources(fs, f)
	merged, err := s.merge(fs, f, sources)
	if err != nil {
		return nil, err
	}
	for _, e := range f.entries() {
		if sources[e.Key] != FromFile {
			continue
		}
		if err := fs.Set(e.Key, merged.String(e.Key)); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", f.Name, e.Line, e.Key, err)
		}
	}
	return sources, nil
}

// sources says, for every flag, which layer sets it.
func (s Spec) sources(fs *flag.FlagSet, f *File) Sources {
	sources := Sources{}
	fs.VisitAll(func(fl *flag.Flag) { sources[fl.Name] = Default })
	for _, e := range f.entries() {
		if _, ok := sources[e.Key]; ok && !s.Omit[e.Key] {
			sources[e.Key] = FromFile
		}
	}
	for name := range sources {
		if s.envSet(name) {
			sources[name] = FromEnv
		}
	}
	fs.Visit(func(fl *flag.Flag) { sources[fl.Name] = FromFlag })
	return sources
}

// merge layers the file, the environment and the command line with koanf,
// each over the one before; the flags' defaults fill only the keys no
// layer set.
func (s Spec) merge(fs *flag.FlagSet, f *File, sources Sources) (*koanf.Koanf, error) {
	k := koanf.New(".")
	file := map[string]any{}
	for _, e := range f.entries() {
		if _, ok := sources[e.Key]; ok && !s.Omit[e.Key] {
			file[e.Key] = e.Value
		}
	}
	env := map[string]any{}
	for name, src := range sources {
		if src == FromEnv {
			env[name] = fs.Lookup(name).Value.String()
		}
	}
	if err := k.Load(confmap.Provider(file, ""), nil); err != nil {
		return nil, fmt.Errorf("load the file: %w", err)
	}
	if err := k.Load(confmap.Provider(env, ""), nil); err != nil {
		return nil, fmt.Errorf("load the environment: %w", err)
	}
	if err := k.Load(basicflag.Provider(fs, ".", &basicflag.Opt{KeyMap: k}), nil); err != nil {
		return nil, fmt.Errorf("load the command line: %w", err)
	}
	return k, nil
}

func (f *File) entries() []Entry {
	if f == nil {
		return nil
	}
	return f.Entries
}
