experimnt "a" { # ERROR: Unsupported block type
  command = ["true"]
}
