package sample

type Opened struct{}
type Closed struct{}
type notAnEvent struct{}

func (Opened) EventType() string  { return "sample.Opened" }
func (*Closed) EventType() string { return "sample.Closed" }
func (notAnEvent) String() string { return "" }
