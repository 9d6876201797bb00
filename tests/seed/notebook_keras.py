# The seed notebook's code cells (../shared/seed/), in order, as the user wrote them for
# Keras. The shared copy is a printed rendering that cuts long lines at the right margin;
# where it did, the line is completed with the obvious ending (marked "# completed").
# The "Load the dataset" cell's code is not shown in the rendering; it is the standard
# Keras call (marked too). tests/test_seed_notebook.py changes only the import lines.

# In [2]: Import the Libraries
import tensorflow as tf
from keras.models import Sequential
from keras.layers import Dense, Flatten, Conv2D, MaxPooling2D
import matplotlib.pyplot as plt

# Load the dataset (cell body not shown in the rendering; the standard Keras call)
from keras.datasets import mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()

# In [4]: Model Architecture
model = Sequential()
model.add(Flatten(input_shape=(28, 28)))
model.add(Dense(128, activation='relu'))
model.add(Dense(10, activation='softmax'))

# In [5]: compile
model.compile(optimizer="adam",loss="sparse_categorical_crossentropy",metrics=['accuracy'])  # completed

# In [6]: Model Training
model.fit(x_train,y_train , epochs=10, batch_size=32, validation_data=(x_test, y_test))  # completed

# In [8]: Create variations of your model for comparison
# Normalize the data first
x_train_norm = x_train.astype('float32') / 255.0
x_test_norm = x_test.astype('float32') / 255.0

# Create three versions based on your original model architecture
def create_underfitting_model():
    """Simplified version of your model - will underfit"""
    model = Sequential()
    model.add(Flatten(input_shape=(28, 28)))
    model.add(Dense(10, activation='softmax')) # Much simpler
    return model

def create_your_model():
    """Your original model architecture"""
    model = Sequential()
    model.add(Flatten(input_shape=(28, 28)))
    model.add(Dense(128, activation='relu'))
    model.add(Dense(10, activation='softmax'))
    return model

def create_overfitting_model():
    """Complex version of your model - will overfit"""
    model = Sequential()
    model.add(Flatten(input_shape=(28, 28)))
    model.add(Dense(512, activation='relu'))
    model.add(Dense(512, activation='relu'))
    model.add(Dense(256, activation='relu'))
    model.add(Dense(128, activation='relu'))
    model.add(Dense(10, activation='softmax'))
    return model

# Create and train the models
models = {
    'Underfitting (Too Simple)': create_underfitting_model(),
    'My Model (Balanced)': create_your_model(),
    'Overfitting (Too Complex)': create_overfitting_model()
}

histories = {}

# Use a smaller subset for faster training and clearer visualization
subset_size = 10000
x_train_subset = x_train_norm[:subset_size]
y_train_subset = y_train[:subset_size]

for name, model in models.items():
    print(f"\nTraining {name}...")
    model.compile(optimizer='adam',
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])

    # Train for more epochs to see overfitting clearly
    history = model.fit(x_train_subset, y_train_subset,
                       epochs=50,
                       batch_size=32, # Using your original batch size
                       validation_data=(x_test_norm, y_test),
                       verbose=0)

    histories[name] = history

    # Evaluate final performance
    train_loss, train_acc = model.evaluate(x_train_subset, y_train_subset, verbose=0)  # completed
    test_loss, test_acc = model.evaluate(x_test_norm, y_test, verbose=0)

    print(f"Final Training Accuracy: {train_acc:.4f}")
    print(f"Final Test Accuracy: {test_acc:.4f}")
    print(f"Gap (Overfitting indicator): {train_acc - test_acc:.4f}")

# In [9]: Create comprehensive visualization of overfitting and underfitting with your model
plt.figure(figsize=(15, 10))

# Set up the subplot layout
fig, axes = plt.subplots(2, 3, figsize=(18, 12))
fig.suptitle('Overfitting vs Underfitting Analysis - Your Model Comparison', fontsize=16, fontweight='bold')  # completed

colors = ['red', 'green', 'blue']
model_names = list(histories.keys())

# Plot training and validation accuracy
for i, (name, history) in enumerate(histories.items()):
    # Highlight your model with a different style
    if 'Your Model' in name:
        line_style = '-'
        line_width = 3
        alpha = 1.0
    else:
        line_style = '-'
        line_width = 2
        alpha = 0.8

    # Accuracy subplot
    axes[0, i].plot(history.history['accuracy'], label='Training Accuracy',  # completed
                   color=colors[i], linewidth=line_width, alpha=alpha)
    axes[0, i].plot(history.history['val_accuracy'], label='Validation Accuracy',  # completed
                   color=colors[i], linestyle='--', linewidth=line_width, alpha=alpha)  # completed
    axes[0, i].set_title(f'{name}\nAccuracy', fontweight='bold' if 'Your Model' in name else 'normal')  # completed
    axes[0, i].set_xlabel('Epochs')
    axes[0, i].set_ylabel('Accuracy')
    axes[0, i].legend()
    axes[0, i].grid(True, alpha=0.3)

    # Add border for your model
    if 'Your Model' in name:
        for spine in axes[0, i].spines.values():
            spine.set_edgecolor('gold')
            spine.set_linewidth(3)

    # Loss subplot
    axes[1, i].plot(history.history['loss'], label='Training Loss',
                   color=colors[i], linewidth=line_width, alpha=alpha)
    axes[1, i].plot(history.history['val_loss'], label='Validation Loss',
                   color=colors[i], linestyle='--', linewidth=line_width, alpha=alpha)  # completed
    axes[1, i].set_title(f'{name}\nLoss', fontweight='bold' if 'Your Model' in name else 'normal')  # completed
    axes[1, i].set_xlabel('Epochs')
    axes[1, i].set_ylabel('Loss')
    axes[1, i].legend()
    axes[1, i].grid(True, alpha=0.3)

    # Add border for your model
    if 'Your Model' in name:
        for spine in axes[1, i].spines.values():
            spine.set_edgecolor('gold')
            spine.set_linewidth(3)

plt.tight_layout()
plt.show()

# In [10]: Create a summary comparison chart highlighting your model
import numpy as np

plt.figure(figsize=(12, 8))

# Extract final accuracies for comparison
final_train_accs = []
final_val_accs = []
model_labels = []

for name, history in histories.items():
    final_train_accs.append(history.history['accuracy'][-1])
    final_val_accs.append(history.history['val_accuracy'][-1])
    if 'Your Model' in name:
        model_labels.append('Your Model \u2b50')
    else:
        model_labels.append(name.split(' (')[0])

# Create comparison bar chart
x = np.arange(len(model_labels))
width = 0.35

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 6))

# Define colors with emphasis on your model
bar_colors_train = ['lightcoral', 'gold', 'lightblue']
bar_colors_val = ['red', 'orange', 'blue']

# Bar chart comparison
bars1 = ax1.bar(x - width/2, final_train_accs, width, label='Training Accuracy',  # completed
               color=bar_colors_train, alpha=0.8, edgecolor='black', linewidth=1)  # completed
bars2 = ax1.bar(x + width/2, final_val_accs, width, label='Validation Accuracy',  # completed
               color=bar_colors_val, alpha=0.8, edgecolor='black', linewidth=1)  # completed

ax1.set_xlabel('Model Type')
ax1.set_ylabel('Accuracy')
ax1.set_title('Final Accuracy Comparison - Your Model vs Others')
ax1.set_xticks(x)
ax1.set_xticklabels(model_labels, rotation=45)
ax1.legend()
ax1.grid(True, alpha=0.3)

# Add value labels on bars
for bar in bars1:
    height = bar.get_height()
    ax1.text(bar.get_x() + bar.get_width()/2., height + 0.01,
             f'{height:.3f}', ha='center', va='bottom', fontweight='bold')  # completed

for bar in bars2:
    height = bar.get_height()
    ax1.text(bar.get_x() + bar.get_width()/2., height + 0.01,
             f'{height:.3f}', ha='center', va='bottom', fontweight='bold')  # completed

# Gap analysis (overfitting indicator)
gaps = [train_acc - val_acc for train_acc, val_acc in zip(final_train_accs, final_val_accs)]  # completed
gap_colors = ['red', 'green', 'orange']

bars3 = ax2.bar(model_labels, gaps, color=gap_colors, alpha=0.7,
               edgecolor='black', linewidth=1)
ax2.set_xlabel('Model Type')
ax2.set_ylabel('Training - Validation Gap')
ax2.set_title('Overfitting Analysis\n(Lower gap = Better generalization)')  # completed
ax2.grid(True, alpha=0.3)

# Add value labels
for i, bar in enumerate(bars3):
    height = bar.get_height()
    weight = 'bold' if 'Your Model' in model_labels[i] else 'normal'
    ax2.text(bar.get_x() + bar.get_width()/2., height + 0.001,
             f'{height:.3f}', ha='center', va='bottom', fontweight=weight)  # completed

plt.xticks(rotation=45)
plt.tight_layout()
plt.show()

# Print analysis of your model
print("\n" + "="*50)
print("MY MODEL ANALYSIS")
print("="*50)

your_model_idx = 1 # Your model is the second one
train_acc = final_train_accs[your_model_idx]
val_acc = final_val_accs[your_model_idx]
gap = gaps[your_model_idx]

print(f"Training Accuracy: {train_acc:.4f}")
print(f"Validation Accuracy: {val_acc:.4f}")
print(f"Generalization Gap: {gap:.4f}")

if gap < 0.05:
    print("\u2705 EXCELLENT: Your model generalizes very well!")
elif gap < 0.1:
    print("\U0001F44D GOOD: Your model has good generalization with minimal overfitting")  # completed
elif gap < 0.2:
    print("\u26a0\ufe0f MODERATE: Some overfitting detected, consider regularization")  # completed
else:
    print("\u274c HIGH: Significant overfitting, model needs regularization")
