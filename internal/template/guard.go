package template

import (
	"errors"
	"fmt"
	"reflect"
	"runtime/metrics"
	"sync/atomic"
	"text/template"
)

// maxExecHeap bounds how much the live heap may grow while one file,
// path or expression executes. Sizes alone do not bound memory: a list
// of MaxItems is fine, but a template that calls itself from a range
// over one keeps a list alive at every level (80 GB at text/template's
// depth limit), and concat or print doubling a value forty times asks
// for a terabyte, all within ExecTimeout. Tests lower it.
var maxExecHeap uint64 = 512 << 20

// errAbandoned stops an execution that execute gave up on.
var errAbandoned = errors.New("the rendering was abandoned")

// guarded returns funcs with every function wrapped so that it fails
// once stop is set, and text/template's print, printf and println, which
// build text of any size, wrapped too. An execution execute has given up
// on (too slow, too large, cancelled) then ends at its next function
// call instead of running on, using CPU and memory, until the process
// exits. text/template turns the panic into an error.
func guarded(funcs template.FuncMap, stop *atomic.Bool) template.FuncMap {
	out := make(template.FuncMap, len(funcs)+3)
	for name, f := range funcs {
		out[name] = guard(f, stop)
	}
	out["print"] = guard(fmt.Sprint, stop)
	out["printf"] = guard(fmt.Sprintf, stop)
	out["println"] = guard(fmt.Sprintln, stop)
	return out
}

func guard(f any, stop *atomic.Bool) any {
	v := reflect.ValueOf(f)
	t := v.Type()
	if t.Kind() != reflect.Func {
		return f
	}
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		if stop.Load() {
			panic(errAbandoned)
		}
		if t.IsVariadic() {
			return v.CallSlice(args)
		}
		return v.Call(args)
	}).Interface()
}

// liveHeap is the heap in use: objects live at the last collection
// (so garbage does not count) or allocated since.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
