print("mlp")
