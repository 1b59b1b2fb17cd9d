package escalate

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/route"
)

// Config is the escalation side of an on-call setup: schedules, policies
// and ladders.
type Config struct {
	Schedules []*Schedule
	Policies  []*Policy
	Ladders   map[string]Ladder
}

// The YAML form of a Config:
//
//	schedules:
//	  - name: sre
//	    time_zone: Europe/Berlin
//	    layers:
//	      - name: L1
//	        members: [alfa, bravo, charlie]
//	        handoff: "0 0,8,16 * * *"
//	        start: 2026-11-23T00:00:00+01:00
//	      - name: L2
//	        members: [delta, echo]
//	        handoff: "0 9 * * MON"
//	        start: 2026-11-23T09:00:00+01:00
//	        active: [{weekdays: ["monday:friday"], times: [{start_time: "09:00", end_time: "18:00"}]}]
//	    overrides:
//	      - {layer: L1, person: foxtrot, from: 2026-11-25T08:00:00+01:00, to: 2026-11-25T12:00:00+01:00}
//	policies:
//	  - name: db-oncall
//	    steps:
//	      - {notify: [oncall:db/L1], wait: 10m}
//	      - {notify: [oncall:db/L2, "@db-lead"], wait: 10m}
//	    repeat: 1
//	ladders:
//	  sre: [[oncall:sre/L1], [oncall:sre/L2], [team:sre, "@sre-lead"]]
type configFile struct {
	Schedules []struct {
		Name     string `yaml:"name"`
		TimeZone string `yaml:"time_zone"`
		Layers   []struct {
			Name    string                      `yaml:"name"`
			Members []string                    `yaml:"members"`
			Handoff string                      `yaml:"handoff"`
			Start   time.Time                   `yaml:"start"`
			Active  []timeinterval.TimeInterval `yaml:"active"`
		} `yaml:"layers"`
		Overrides []struct {
			Layer  string    `yaml:"layer"`
			Person string    `yaml:"person"`
			From   time.Time `yaml:"from"`
			To     time.Time `yaml:"to"`
			Note   string    `yaml:"note"`
		} `yaml:"overrides"`
	} `yaml:"schedules"`
	Policies []struct {
		Name  string `yaml:"name"`
		Steps []struct {
			Notify []string `yaml:"notify"`
			Wait   string   `yaml:"wait"`
		} `yaml:"steps"`
		Repeat int `yaml:"repeat"`
	} `yaml:"policies"`
	Ladders map[string][][]string `yaml:"ladders"`
}

// ParseConfig reads a Config from YAML; file names the source in errors.
// Schedules and policies are checked as AddSchedule and AddPolicy would.
func ParseConfig(data []byte, file string) (*Config, error) {
	var f configFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	cfg := &Config{Ladders: map[string]Ladder{}}
	for i, fs := range f.Schedules {
		s := &Schedule{Name: fs.Name, Location: time.UTC}
		if fs.TimeZone != "" {
			loc, err := time.LoadLocation(fs.TimeZone)
			if err != nil {
				return nil, fmt.Errorf("%s: schedules[%d] %s: time_zone: %w", file, i, fs.Name, err)
			}
			s.Location = loc
		}
		for _, fl := range fs.Layers {
			s.Layers = append(s.Layers, &Layer{Name: fl.Name, Members: fl.Members, Handoff: fl.Handoff, Start: fl.Start, Active: fl.Active})
		}
		for _, fo := range fs.Overrides {
			s.Overrides = append(s.Overrides, Override{Layer: fo.Layer, Person: fo.Person, From: fo.From, To: fo.To, Note: fo.Note})
		}
		if err := s.Compile(); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		cfg.Schedules = append(cfg.Schedules, s)
	}
	for i, fp := range f.Policies {
		p := &Policy{Name: fp.Name, Repeat: fp.Repeat}
		for j, fst := range fp.Steps {
			st := Step{}
			targets, err := parseTargets(fst.Notify)
			if err != nil {
				return nil, fmt.Errorf("%s: policies[%d] %s: step %d: %w", file, i, fp.Name, j+1, err)
			}
			st.Notify = targets
			if fst.Wait != "" {
				d, err := model.ParseDuration(fst.Wait)
				if err != nil {
					return nil, fmt.Errorf("%s: policies[%d] %s: step %d: wait: %w", file, i, fp.Name, j+1, err)
				}
				st.Wait = time.Duration(d)
			}
			p.Steps = append(p.Steps, st)
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		cfg.Policies = append(cfg.Policies, p)
	}
	for name, levels := range f.Ladders {
		var l Ladder
		for i, level := range levels {
			targets, err := parseTargets(level)
			if err != nil {
				return nil, fmt.Errorf("%s: ladders.%s[%d]: %w", file, name, i, err)
			}
			l = append(l, targets)
		}
		cfg.Ladders[name] = l
	}
	return cfg, nil
}

func parseTargets(list []string) ([]route.Target, error) {
	var out []route.Target
	for _, s := range list {
		t, err := route.ParseTarget(s)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Load adds a Config's schedules, then its policies and ladders, whose
// on-call targets must name its schedules' layers.
func (e *Escalator) Load(cfg *Config) error {
	for _, s := range cfg.Schedules {
		if err := e.AddSchedule(s); err != nil {
			return err
		}
	}
	for _, p := range cfg.Policies {
		if err := e.AddPolicy(p); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Ladders)) {
		if err := e.AddLadder(name, cfg.Ladders[name]); err != nil {
			return err
		}
	}
	return nil
}
