package sim

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Routes that injected faults can target.
const (
	RouteStage  = "stage"
	RouteRevoke = "revoke"
	RouteToken  = "token"
)

// Fault defaults and limits.
const (
	defaultFailStatus   = http.StatusServiceUnavailable
	defaultFaultTimeout = 15 * time.Second
	maxFaultTimeout     = 10 * time.Minute
	maxFaultCount       = 1_000_000
)

// Faults is the injected failure configuration as the control routes show
// it. Counts go down as matching calls use them up.
type Faults struct {
	// FailNext is how many of the next matching calls fail with FailStatus.
	FailNext   int `json:"failNext"`
	FailStatus int `json:"failStatus"`
	// TimeoutNext is how many of the next matching calls hang for Timeout (a
	// Go duration such as "3s") and then fail with 504. These are
	// used up before FailNext.
	TimeoutNext int    `json:"timeoutNext"`
	Timeout     string `json:"timeout"`
	// RefuseStaged makes token requests with a credential that is not yet
	// active fail with 401 invalid_client, until it is switched off.
	RefuseStaged bool `json:"refuseStaged"`
	// Routes limits FailNext and TimeoutNext to these routes (stage, revoke,
	// token). Empty means every route.
	Routes []string `json:"routes"`
}

// FaultsUpdate changes the fault configuration. A nil field keeps the
// current value.
type FaultsUpdate struct {
	FailNext     *int      `json:"failNext"`
	FailStatus   *int      `json:"failStatus"`
	TimeoutNext  *int      `json:"timeoutNext"`
	Timeout      *string   `json:"timeout"`
	RefuseStaged *bool     `json:"refuseStaged"`
	Routes       *[]string `json:"routes"`
}

// faultState is the fault configuration in force. The zero value injects
// nothing.
type faultState struct {
	failNext     int
	failStatus   int
	timeoutNext  int
	timeout      time.Duration
	refuseStaged bool
	routes       []string
}

// injectedFault is the failure takeFault chose for one call.
type injectedFault struct {
	status  int           // 0 when the call proceeds normally
	timeout time.Duration // how long to hang before the status, if any
}

// UpdateFaults validates u and applies its non-nil fields, then returns the
// configuration in force. An invalid update changes nothing.
func (s *Simulator) UpdateFaults(u FaultsUpdate) (Faults, error) {
	if err := u.check(); err != nil {
		return Faults{}, err
	}
	var timeout time.Duration
	if u.Timeout != nil {
		timeout, _ = time.ParseDuration(*u.Timeout) // check parsed it
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if u.FailNext != nil {
		s.faults.failNext = *u.FailNext
	}
	if u.FailStatus != nil {
		s.faults.failStatus = *u.FailStatus
	}
	if u.TimeoutNext != nil {
		s.faults.timeoutNext = *u.TimeoutNext
	}
	if u.Timeout != nil {
		s.faults.timeout = timeout
	}
	if u.RefuseStaged != nil {
		s.faults.refuseStaged = *u.RefuseStaged
	}
	if u.Routes != nil {
		s.faults.routes = slices.Clone(*u.Routes)
	}
	return s.faults.view(), nil
}

// Faults returns the fault configuration in force.
func (s *Simulator) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.view()
}

// ClearFaults switches every injected failure off.
func (s *Simulator) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faultState{}
}

// takeFault uses up one timeout or failure for a call of route, timeouts
// first. The caller holds s.mu.
func (s *Simulator) takeFault(route string) injectedFault {
	f := &s.faults
	if len(f.routes) > 0 && !slices.Contains(f.routes, route) {
		return injectedFault{}
	}
	switch {
	case f.timeoutNext > 0:
		f.timeoutNext--
		return injectedFault{status: http.StatusGatewayTimeout, timeout: f.effectiveTimeout()}
	case f.failNext > 0:
		f.failNext--
		return injectedFault{status: f.effectiveFailStatus()}
	default:
		return injectedFault{}
	}
}

func (f *faultState) effectiveFailStatus() int {
	if f.failStatus == 0 {
		return defaultFailStatus
	}
	return f.failStatus
}

func (f *faultState) effectiveTimeout() time.Duration {
	if f.timeout == 0 {
		return defaultFaultTimeout
	}
	return f.timeout
}

func (f *faultState) view() Faults {
	return Faults{
		FailNext:     f.failNext,
		FailStatus:   f.effectiveFailStatus(),
		TimeoutNext:  f.timeoutNext,
		Timeout:      f.effectiveTimeout().String(),
		RefuseStaged: f.refuseStaged,
		Routes:       append([]string{}, f.routes...),
	}
}

// check returns every problem of u joined, or nil.
func (u FaultsUpdate) check() error {
	var problems []error
	checkCount := func(name string, n *int) {
		if n != nil && (*n < 0 || *n > maxFaultCount) {
			problems = append(problems, fmt.Errorf("%s must be between 0 and %d, got %d", name, maxFaultCount, *n))
		}
	}
	checkCount("failNext", u.FailNext)
	checkCount("timeoutNext", u.TimeoutNext)
	if u.FailStatus != nil && (*u.FailStatus < 400 || *u.FailStatus > 599) {
		problems = append(problems, fmt.Errorf("failStatus must be an HTTP status from 400 to 599, got %d", *u.FailStatus))
	}
	if u.Timeout != nil {
		d, err := time.ParseDuration(*u.Timeout)
		if err != nil || d <= 0 || d > maxFaultTimeout {
			problems = append(problems, fmt.Errorf("timeout must be a Go duration such as \"3s\", above 0 and at most %s, got %q", maxFaultTimeout, *u.Timeout))
		}
	}
	if u.Routes != nil {
		for _, r := range *u.Routes {
			if r != RouteStage && r != RouteRevoke && r != RouteToken {
				problems = append(problems, fmt.Errorf("unknown route %q in routes: use %s, %s or %s", r, RouteStage, RouteRevoke, RouteToken))
			}
		}
	}
	return errors.Join(problems...)
}
