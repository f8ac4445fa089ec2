experiment "a" {
  command = ["train"
} # ERROR: Missing item separator
