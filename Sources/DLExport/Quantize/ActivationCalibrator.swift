import DeepLearning

/// Observes every activation of an fp32 model over calibration samples, run
/// in the C runtime exactly as at inference, and picks each one's int8
/// quantization: the extremes in a first pass, a magnitude histogram over
/// `[0, max|x|]` in a second when the method needs one.
struct ActivationCalibrator {
    let file: ModelFile
    let bytes: [UInt8]

    /// Graph inputs and node outputs: every tensor that can become i8.
    var activationTensors: [TensorID] {
        file.inputs + file.nodes.flatMap(\.outputs)
    }

    func observe(_ samples: [[Float]], method: CalibrationMethod) throws -> [Int: ActivationStatistics] {
        guard !samples.isEmpty else {
            throw ExportError.invalidArgument("calibration needs at least one sample; the data gave none")
        }
        let runner = try KeptTensors(bytes)
        let tensors = activationTensors
        var statistics = Dictionary(uniqueKeysWithValues: tensors.map {
            ($0.index, ActivationStatistics(tensor: file.tensors[$0.index].name))
        })
        for (index, sample) in samples.enumerated() {
            try runner.run(sample)
            for tensor in tensors { try statistics[tensor.index]!.observeExtremes(try runner.tensor(tensor), sample: index) }
        }
        if method.needsHistogram {
            for sample in samples {
                try runner.run(sample)
                for tensor in tensors { statistics[tensor.index]!.observeHistogram(try runner.tensor(tensor)) }
            }
        }
        return statistics
    }

    /// Each activation's quantization from its statistics. Graph inputs and
    /// outputs use their full observed range whatever the method: inputs are
    /// normalised pixels, whose extremes (0 and 255) are no outliers, and
    /// clipping logits would merge the top classes into ties. A max_pool2d,
    /// flatten or reshape output takes its input's, as the int8 kernels require.
    func quantizations(_ statistics: [Int: ActivationStatistics], method: CalibrationMethod)
        -> (ranges: [Int: ClosedRange<Float>], quantizations: [Int: ActivationQuantization])
    {
        var ranges: [Int: ClosedRange<Float>] = [:]
        for (index, observed) in statistics {
            let boundary = (file.inputs + file.outputs).contains { $0.index == index }
            ranges[index] = observed.range(boundary ? .minmax : method)
        }
        var quantizations = ranges.mapValues { ActivationQuantization(range: $0) }
        for node in file.nodes where Int8Role.of(node) == .success(.passThrough) {
            guard let x = node.inputs.first ?? nil, let inherited = quantizations[x.index] else { continue }
            quantizations[node.outputs[0].index] = inherited
            ranges[node.outputs[0].index] = ranges[x.index]
        }
        return (ranges, quantizations)
    }
}
