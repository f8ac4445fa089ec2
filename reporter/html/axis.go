package html

// AxisValue is a param's value on a parallel-coordinates axis, as the
// report lays it out: numbers stay numbers (a value axis), anything else
// is its text (a category axis), and an absent param reads "—".
func AxisValue(v any) any { return axisValue(v) }
