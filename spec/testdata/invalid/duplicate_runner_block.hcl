experiment "a" {
  command = ["train"]
  runner { gpus = 1 }
  runner { gpus = 2 } # ERROR: Duplicate runner block
}
