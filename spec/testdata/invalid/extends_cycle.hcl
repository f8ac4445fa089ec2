template "a" {
  extends = template.b # ERROR: Cycle in extends
}

template "b" {
  extends = template.a
}

experiment "x" {
  extends = template.a
  command = ["true"]
}
