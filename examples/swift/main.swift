import DLClassify  // ImageInputContract(model:): the preprocessing that the file's metadata states
import DLImage
import DLRuntime

let model = try Model(path: CommandLine.arguments[1])
let input = try ImageInputContract(model: model).tensor(contentsOf: CommandLine.arguments[2])
let scores = try Session(model: model).run([input])[0]
let best = scores.indices.max { scores[$0] < scores[$1] }!
print(model.strings("labels")?[best] ?? "class \(best)")
