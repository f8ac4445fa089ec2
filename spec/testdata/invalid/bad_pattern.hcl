experiment "a" {
  command = ["true"]
  metric "throughput" {
    pattern = "imgs/s=[0-9.]+" # ERROR: Invalid metric pattern
  }
}
