# Uses a template from another file, and reads files of the repository.
experiment "mlp" {
  extends     = template.gpu
  description = trimspace(file("configs/description.txt"))
  command     = ["python", "mlp.py", "--config=${param.config}"]
  workdir     = "models/mlp"
  params      = { config = "configs/small.json" }
  sweep {
    param "config" { values = [for f in sort(fileset("configs", "*.json")) : "configs/${f}"] }
  }
}
