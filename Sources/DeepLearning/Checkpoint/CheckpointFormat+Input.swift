/// The `INPUT` and `SAMPLES` payloads (format 1.1, docs/CHECKPOINT.md):
/// what an exporter needs beyond the weights to feed and self-test the model.
extension CheckpointFormat {
    /// `INPUT`'s resize codes.
    enum ResizeCode: UInt32 {
        case stretch = 1, centerCrop = 2
    }
}

extension ByteWriter {
    /// dataset, channel order, pixel range, mean, std (each `u32 n` + f64s), resize code, crop side.
    mutating func inputContract(_ contract: InputContract) throws {
        if let problem = contract.problem { throw CheckpointError.invalidArgument("input contract: \(problem)") }
        try text(contract.dataset, "the input contract's data set")
        try text(contract.channelOrder, "the input contract's channel order")
        for values in [contract.pixelRange, contract.mean, contract.std] {
            try count(values.count, "input contract values")
            for value in values { f64(value) }
        }
        switch contract.resize {
        case .stretch:
            u32(CheckpointFormat.ResizeCode.stretch.rawValue)
            i64(0)
        case .centerCrop(let side):
            u32(CheckpointFormat.ResizeCode.centerCrop.rawValue)
            i64(side)
        }
    }

    /// `u32 count`, then per sample: source text, i64 label, shape, u8 pixels.
    mutating func samples(_ samples: [InputSample]) throws {
        try count(samples.count, "samples")
        for (i, sample) in samples.enumerated() {
            let elements = sample.shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard sample.label >= 0, sample.pixels.count == elements, elements <= Int(Int32.max) else {
                throw CheckpointError.invalidArgument(
                    "sample \(i): label \(sample.label) must be >= 0 and shape \(sample.shape) must hold its \(sample.pixels.count) pixels")
            }
            try text(sample.source, "sample \(i)'s source")
            i64(sample.label)
            try shape(sample.shape, "sample \(i)")
            bytes.append(contentsOf: sample.pixels)
        }
    }
}

extension ByteReader {
    mutating func inputContract() throws -> InputContract {
        let start = offset
        let dataset = try text("the data set name")
        let channelOrder = try text("the channel order")
        var arrays: [[Double]] = []
        for what in ["pixel range", "mean", "std"] {
            let n = try count("\(what) values", minimumSize: 8)
            arrays.append(try (0..<n).map { _ in try f64() })
        }
        let resizeAt = offset
        let rawResize = try u32()
        let side = try i64()
        let resize: InputContract.Resize
        switch CheckpointFormat.ResizeCode(rawValue: rawResize) {
        case .stretch?:
            guard side == 0 else { throw malformed("stretch resize with crop side \(side) (must be 0)", at: resizeAt) }
            resize = .stretch
        case .centerCrop?:
            resize = .centerCrop(shorterSide: side)
        case nil:
            throw malformed("unknown resize code \(rawResize)", at: resizeAt)
        }
        let contract = InputContract(dataset: dataset, channelOrder: channelOrder, pixelRange: arrays[0], mean: arrays[1],
                                     std: arrays[2], resize: resize)
        if let problem = contract.problem { throw malformed(problem, at: start) }
        return contract
    }

    mutating func samples() throws -> [InputSample] {
        let n = try count("samples", minimumSize: 4 + 8 + 4)
        var samples: [InputSample] = []
        for i in 0..<n {
            part = "SAMPLES sample #\(i)"
            let source = try text("the source")
            let labelAt = offset
            let label = try i64()
            guard label >= 0 else { throw malformed("label \(label) is negative", at: labelAt) }
            let shape = try self.shape("the shape")
            let elements = try elementCount(shape)
            try need(elements)
            let pixels = Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + elements)]))
            offset += elements
            samples.append(InputSample(shape: shape, pixels: pixels, label: label, source: source))
        }
        part = "SAMPLES"
        return samples
    }
}
