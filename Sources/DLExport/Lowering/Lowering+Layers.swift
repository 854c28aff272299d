import DeepLearning

// The engine's computing layers, each one node (or none).

extension Conv2d: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        let w = try context.constant("weight", weight.value)
        let b = try bias.map { try context.constant("bias", $0.value) }
        return try context.emit { builder, name in
            try builder.conv2d(input, weight: w, bias: b, stride: (stride.height, stride.width),
                               padding: (padding.top, padding.left, padding.bottom, padding.right),
                               dilation: (dilation.height, dilation.width), groups: groups, name: name)
        }
    }
}

extension ConvTranspose2d: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        let w = try context.constant("weight", weight.value)
        let b = try bias.map { try context.constant("bias", $0.value) }
        return try context.emit { builder, name in
            try builder.convTranspose2d(input, weight: w, bias: b, stride: (stride.height, stride.width),
                                        padding: (padding.top, padding.left, padding.bottom, padding.right),
                                        outputPadding: (outputPadding.height, outputPadding.width),
                                        dilation: (dilation.height, dilation.width), groups: groups, name: name)
        }
    }
}

extension Linear: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        let shape = try context.shape(of: input)
        guard shape.count == 2 else {
            throw context.unsupported(self, "input \(shape) is not [N, \(inputCount)]; flatten it first (dense takes rank 2)")
        }
        let w = try context.constant("weight", weight.value)
        let b = try bias.map { try context.constant("bias", $0.value) }
        return try context.emit { builder, name in try builder.dense(input, weight: w, bias: b, name: name) }
    }
}

/// BatchNorm1d and BatchNorm2d in evaluation mode: a `batch_norm` node over
/// the running statistics, which `GraphRewriter` later folds into a
/// preceding conv or dense where it can.
extension BatchNorm: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        guard let runningMean, let runningVar else {
            throw context.unsupported(self, "it keeps no running statistics (trackRunningStats: false), so evaluation "
                                          + "normalises with batch statistics, which an inference graph cannot compute")
        }
        let channels = [featureCount]
        let scale = try context.constant("weight", weight?.value ?? .ones(channels))
        let shift = try context.constant("bias", bias?.value ?? .zeros(channels))
        let mean = try context.constant("running_mean", runningMean.value)
        let variance = try context.constant("running_var", runningVar.value)
        return try context.emit { builder, name in
            try builder.batchNorm(input, scale: scale, bias: shift, mean: mean, variance: variance, epsilon: Float(eps),
                                  name: name)
        }
    }
}

extension ReLU: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in try builder.relu(input, name: name) }
    }
}

extension LeakyReLU: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in try builder.leakyRelu(input, alpha: negativeSlope, name: name) }
    }
}

extension Sigmoid: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in try builder.sigmoid(input, name: name) }
    }
}

extension Tanh: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in try builder.tanh(input, name: name) }
    }
}

extension Softmax: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in try builder.softmax(input, axis: axis, name: name) }
    }
}

/// Evaluation-mode dropout is the identity: nothing to emit.
extension Dropout: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID { input }
}

extension Identity: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID { input }
}

/// `flatten` for the usual 1...-1; a batch-preserving `reshape` for other
/// axis ranges; nothing when the shape would not change.
extension Flatten: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        let shape = try context.shape(of: input)
        let start = startAxis < 0 ? startAxis + shape.count : startAxis
        let end = endAxis < 0 ? endAxis + shape.count : endAxis
        guard 1 <= start, start <= end, end < shape.count else {
            throw context.unsupported(self, "axes \(startAxis)...\(endAxis) of input \(shape) must lie in 1..<\(shape.count) "
                                          + "(the batch axis stays)")
        }
        if start == end { return input }
        if start == 1, end == shape.count - 1 {
            return try context.emit { builder, name in try builder.flatten(input, axis: 1, name: name) }
        }
        // Entry 0 keeps the batch axis whatever the session's batch size.
        let target = [0] + Array(shape[1..<start]) + [shape[start...end].reduce(1, *)] + Array(shape[(end + 1)...])
        return try context.emit { builder, name in try builder.reshape(input, shape: target, name: name) }
    }
}

extension MaxPool2d: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in
            try builder.maxPool2d(input, kernel: (kernelSize.height, kernelSize.width), stride: (stride.height, stride.width),
                                  padding: (padding.top, padding.left, padding.bottom, padding.right), ceilMode: ceilMode,
                                  name: name)
        }
    }
}

extension AvgPool2d: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in
            try builder.avgPool2d(input, kernel: (kernelSize.height, kernelSize.width), stride: (stride.height, stride.width),
                                  padding: (padding.top, padding.left, padding.bottom, padding.right), ceilMode: ceilMode,
                                  countIncludePad: countIncludePad, name: name)
        }
    }
}

extension GlobalAvgPool2d: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in try builder.globalAvgPool(input, name: name) }
    }
}

extension LocalResponseNorm: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try context.emit { builder, name in
            try builder.lrn(input, size: size, alpha: Float(alpha), beta: Float(beta), k: Float(k), name: name)
        }
    }
}
