// Many-to-one sequence classification: a GRU reads a sequence of numbers,
// one per step, and says whether it is in ascending order or has one
// adjacent pair swapped (SortednessTask). The swap can be anywhere, so the
// answer needs every step: the other sequence shape from the character
// model's one output per step.
//
//   swift run -c release dlrt-sequence-sorted [LENGTH] [STEPS]
import DeepLearning

let arguments = CommandLine.arguments
let length = arguments.count > 1 ? Int(arguments[1]) ?? 10 : 10
let steps = arguments.count > 2 ? Int(arguments[2]) ?? 2_000 : 2_000
var generator = SplitMix64(seed: 1)
let accuracy = SortednessTask(length: length).train(steps: steps, using: &generator) { step, accuracy in
    print(formatted("step %5d  held-out accuracy %.1f%%", step, accuracy * 100))
}
print(formatted("final held-out accuracy %.2f%% on 1000 sequences of %d numbers", accuracy * 100, length))
