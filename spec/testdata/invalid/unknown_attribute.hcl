experiment "a" {
  command = ["true"]
  descripton = "typo" # ERROR: Unsupported argument
}
