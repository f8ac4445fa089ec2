experiment "a" {
  command = [] # ERROR: Empty command
}
