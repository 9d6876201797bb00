"""The two models of the training benchmark, shared by tinynet and the references."""
SEED = [128]                       # Flatten -> Dense(128, relu) -> Dense(10, softmax)
OVERFIT = [512, 512, 256, 128]     # the capacity lesson's over-fitting model
CASES = {"seed model, 60,000 images": (SEED, 60_000), "over-fitting model, 10,000 images": (OVERFIT, 10_000)}
