// dlrt-train-bench: training steps per second of one zoo model on random
// data, for tools/bench/train_bench.py to set beside PyTorch's. It runs the
// same step as `Trainer.trainEpoch` (forward, cross-entropy, zero_grad,
// backward, optimizer step) with the model's dltrain recipe, and leaves data
// loading out so that both engines time the same work.
//
//   dlrt-train-bench MODEL BATCH STEPS [WARMUP] [THREADS]
//   -> {"model": "resnet20", "batch": 128, "threads": 2, "steps": 20, "seconds": 10.1, "images_per_second": 253.4}
import DeepLearning
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 4, let batch = Int(arguments[2]), let steps = Int(arguments[3]), batch > 0, steps > 0 else {
    print("usage: dlrt-train-bench MODEL BATCH STEPS [WARMUP] [THREADS]")
    exit(2)
}
let name = arguments[1]
let warmup = arguments.count > 4 ? Int(arguments[4]) ?? 2 : 2
if arguments.count > 5, let threads = Int(arguments[5]) { ComputePool.threadCount = threads }
TrainingHeap.retainFreedMemory() // as dltrain's trainers do

// charlstm is the character model of `dltrain --model charlstm` (CharLSTM at
// the zoo's size) on random tokens, one truncated-BPTT chunk of
// CharLSTMRecipe.sequenceLength characters per sequence; its figure is
// characters (tokens) per second.
if name == "charlstm" {
    let steps = steps, batch = batch
    let recipe = CharLSTMRecipe.standard
    let vocabulary = 65
    var generator = SplitMix64(seed: 7)
    let model = recipe.model(vocabularySize: vocabulary, using: &generator)
    let optimizer = Adam(model.parameters(), learningRate: 1e-4)
    let t = recipe.sequenceLength
    let tokens = (0..<batch * t).map { _ in Int.random(in: 0..<vocabulary, using: &generator) }
    let targets = (0..<batch * t).map { _ in Int.random(in: 0..<vocabulary, using: &generator) }
    func step() {
        let logits = model(tokens: tokens, batch: batch, steps: t, state: nil).logits
        let loss = crossEntropy(logits: logits.reshaped([batch * t, vocabulary]), labels: targets)
        optimizer.zeroGrad()
        loss.backward()
        _ = clipGradNorm(model.parameters(), maxNorm: 5)
        optimizer.step()
    }
    model.train()
    for _ in 0..<warmup { step() }
    let start = monotonicSeconds()
    for _ in 0..<steps { step() }
    let seconds = monotonicSeconds() - start
    print("{\"model\": \"charlstm\", \"batch\": \(batch), \"threads\": \(ComputePool.threadCount), \"steps\": \(steps), "
          + formatted("\"seconds\": %.4f, \"images_per_second\": %.2f, \"tokens_per_second\": %.1f}", seconds,
                      Double(batch * steps) / seconds, Double(batch * t * steps) / seconds))
    exit(0)
}

let model: Module<Float>
do { model = try ModelZoo.make(name, seed: 1) } catch {
    print("dlrt-train-bench: \(error)")
    exit(2)
}
let entry = ModelZoo.entries.first { $0.name == name }!
let recipe = Recipe.defaults(for: name)
let optimizer: Optimizer<Float> = recipe.optimizer == .sgd
    ? SGD(model.parameters(), learningRate: 0.01, momentum: recipe.momentum, weightDecay: recipe.weightDecay)
    : Adam(model.parameters(), learningRate: 1e-4, weightDecay: recipe.weightDecay)

var generator = SplitMix64(seed: 7)
let inputCount = batch * entry.defaultInputShape.reduce(1, *)
let input = Tensor<Float>(shape: [batch] + entry.defaultInputShape,
                          scalars: (0..<inputCount).map { _ in Float.random(in: -1...1, using: &generator) })
let labels = (0..<batch).map { _ in Int.random(in: 0..<entry.defaultClasses, using: &generator) }

func trainStep() {
    let loss = crossEntropy(logits: model(input), labels: labels)
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
}

model.train()
for _ in 0..<warmup { trainStep() }
let start = monotonicSeconds()
for _ in 0..<steps { trainStep() }
let seconds = monotonicSeconds() - start
print("{\"model\": \"\(name)\", \"batch\": \(batch), \"threads\": \(ComputePool.threadCount), \"steps\": \(steps), "
      + formatted("\"seconds\": %.4f, \"images_per_second\": %.2f}", seconds, Double(batch * steps) / seconds))
