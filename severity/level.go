package severity

import (
	"fmt"
	"strconv"
	"strings"
)

// Level is a severity, S1 (the worst) to S9 (the least). The zero Level is
// unknown: no label said.
type Level uint8

// The levels.
const (
	S1 Level = iota + 1
	S2
	S3
	S4
	S5
	S6
	S7
	S8
	S9
)

// ParseLevel reads a level as "S3", "s3" or "3", the forms of the label
// severity_level.
func ParseLevel(s string) (Level, error) {
	v := s
	if len(v) == 2 && (v[0] == 'S' || v[0] == 's') {
		v = v[1:]
	}
	if len(v) != 1 || v[0] < '1' || v[0] > '9' {
		return 0, fmt.Errorf("invalid level %q (want S1 to S9)", s)
	}
	return Level(v[0] - '0'), nil
}

// String returns "S3", or "unknown" for the zero Level.
func (l Level) String() string {
	if l == 0 {
		return "unknown"
	}
	return "S" + strconv.Itoa(int(l))
}

// Valid reports whether l is S1 to S9.
func (l Level) Valid() bool { return l >= S1 && l <= S9 }

// Milder returns the level k steps milder, at most S9.
func (l Level) Milder(k int) Level {
	if l == 0 {
		return 0
	}
	return Level(min(max(int(l)+k, int(S1)), int(S9)))
}

// MarshalText encodes the level as its String.
func (l Level) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fmt.Errorf("invalid level %d", uint8(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText decodes a level with ParseLevel.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err == nil {
		*l = v
	}
	return err
}

// Impact is how bad it is when the failure happens.
type Impact uint8

// The impacts, worst first.
const (
	ImpactDeadly Impact = iota + 1
	ImpactCatastrophic
	ImpactCritical
	ImpactMarginal
	ImpactNegligible
)

var impactNames = [...]string{ImpactDeadly: "deadly", ImpactCatastrophic: "catastrophic", ImpactCritical: "critical", ImpactMarginal: "marginal", ImpactNegligible: "negligible"}

// Likelihood is how likely the failure is, given the alert.
type Likelihood uint8

// The likelihoods, surest first.
const (
	LikelihoodCertain Likelihood = iota + 1
	LikelihoodLikely
	LikelihoodPossible
	LikelihoodUnlikely
	LikelihoodRare
)

var likelihoodNames = [...]string{LikelihoodCertain: "certain", LikelihoodLikely: "likely", LikelihoodPossible: "possible", LikelihoodUnlikely: "unlikely", LikelihoodRare: "rare"}

// String returns the impact in lower case.
func (i Impact) String() string { return name(impactNames[:], int(i)) }

// String returns the likelihood in lower case.
func (l Likelihood) String() string { return name(likelihoodNames[:], int(l)) }

// ParseImpact reads an impact, in any case.
func ParseImpact(s string) (Impact, error) {
	i, err := parseName(impactNames[:], s, "impact")
	return Impact(i), err
}

// ParseLikelihood reads a likelihood, in any case.
func ParseLikelihood(s string) (Likelihood, error) {
	i, err := parseName(likelihoodNames[:], s, "likelihood")
	return Likelihood(i), err
}

func name(names []string, i int) string {
	if i > 0 && i < len(names) {
		return names[i]
	}
	return "unknown"
}

func parseName(names []string, s, what string) (int, error) {
	for i, n := range names {
		if n != "" && strings.EqualFold(n, s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want %s)", what, s, strings.Join(names[1:], ", "))
}

// Matrix maps Impact × Likelihood to a level: Matrix[likelihood-1][impact-1].
type Matrix [5][5]Level

// DefaultMatrix is the usual risk matrix of incident management: a deadly
// impact that is certain is S1, a negligible one that is rare S9, and each
// step milder in either direction one level milder.
func DefaultMatrix() Matrix {
	var m Matrix
	for l := range 5 {
		for i := range 5 {
			m[l][i] = Level(1 + l + i)
		}
	}
	return m
}

// Level returns the level of an impact and a likelihood.
func (m *Matrix) Level(i Impact, l Likelihood) Level {
	if i < ImpactDeadly || i > ImpactNegligible || l < LikelihoodCertain || l > LikelihoodRare {
		return 0
	}
	return m[l-1][i-1]
}
