"""The models of the training benchmark, shared by tinynet and the references."""
SEED = [128]                       # Flatten -> Dense(128, relu) -> Dense(10, softmax)
OVERFIT = [512, 512, 256, 128]     # the capacity lesson's over-fitting model
CASES = {"seed model, 60,000 images": (SEED, 60_000), "over-fitting model, 10,000 images": (OVERFIT, 10_000)}

# Keras' "Simple MNIST convnet" (lesson 6): Conv2D(32, 3, relu) -> MaxPooling2D(2) ->
# Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dropout(0.5) -> Dense(10, softmax),
# categorical cross-entropy, Adam, batch 128; one epoch of the example's training part
# (validation_split=0.1 leaves 54,000 of the 60,000 images), without its validation.
CONVNET = "convnet, 54,000 images, batch 128"
CONVNET_IMAGES, CONVNET_BATCH = 54_000, 128
