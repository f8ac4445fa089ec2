experiment "a" { # ERROR: Missing command
  description = "forgot the command"
}
