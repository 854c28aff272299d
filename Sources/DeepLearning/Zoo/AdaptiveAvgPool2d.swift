/// Average pooling to a fixed output size (PyTorch's `nn.AdaptiveAvgPool2d`):
/// output cell (i, j) averages input rows ⌊i·H/oh⌋ ..< ⌈(i+1)·H/oh⌉ and the
/// same for columns, so any input size works, smaller than the output
/// included (cells then repeat input values). Identity when the input
/// already has the output size (torchvision's AlexNet and VGG at 224 x 224),
/// one `avgPool2d` when the sizes divide, `globalAvgPool` for 1 x 1, else
/// slices and means (differentiable either way).
public final class AdaptiveAvgPool2d<Scalar: TensorScalar>: Module<Scalar> {
    public let outputSize: Size2d

    public init(outputSize: Size2d) {
        precondition(outputSize.height > 0 && outputSize.width > 0, "AdaptiveAvgPool2d: output size \(outputSize) must be positive")
        self.outputSize = outputSize
        super.init()
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(input.rank == 4, "AdaptiveAvgPool2d: input must be [N, C, H, W], got \(input.shape)")
        let (h, w, oh, ow) = (input.shape[2], input.shape[3], outputSize.height, outputSize.width)
        if h == oh && w == ow { return input }
        if oh == 1 && ow == 1 { return globalAvgPool(input) }
        if h % oh == 0 && w % ow == 0 {
            return avgPool2d(input, kernel: Size2d(h / oh, w / ow), stride: Size2d(h / oh, w / ow))
        }
        let rows = (0..<oh).map { i -> Tensor<Scalar> in
            let r = (i * h / oh)..<((i + 1) * h + oh - 1) / oh
            let cells = (0..<ow).map { j -> Tensor<Scalar> in
                let c = (j * w / ow)..<((j + 1) * w + ow - 1) / ow
                return input.slice([0..<input.shape[0], 0..<input.shape[1], r, c]).mean(alongAxes: [2, 3], keepDims: true)
            }
            return Tensor.concatenate(cells, axis: 3)
        }
        return Tensor.concatenate(rows, axis: 2)
    }
}

extension AdaptiveAvgPool2d: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try requireRank(shape, 4, self)
        return [shape[0], shape[1], outputSize.height, outputSize.width]
    }
}
