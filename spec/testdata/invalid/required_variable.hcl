variable "dataset" {} # ERROR: No value for required variable

experiment "a" {
  command = ["train", "--data=${var.dataset}"]
}
