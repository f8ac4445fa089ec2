experiment "a" {
  command     = ["true"]
  description = file("../../etc/passwd") # ERROR: Invalid function argument
}
