experiment "a" {
  command = ["train"]
  seeds   = [1, 2, 1] # ERROR: Duplicate seed
}
