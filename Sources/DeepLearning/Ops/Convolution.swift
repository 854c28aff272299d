/// 2-D convolution and transposed convolution over NCHW tensors, with
/// PyTorch's semantics (`F.conv2d`, `F.conv_transpose2d`), plus asymmetric
/// padding. Float runs `dk_conv2d_*` / `dk_conv_transpose2d_*`; Double the
/// Swift reference. Differentiable with respect to input, weight and bias.

/// x [N, C, H, W], weight [M, C/groups, KH, KW], bias [M] -> [N, M, HO, WO].
public func conv2d<Scalar: TensorScalar>(_ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
                                         stride: Size2d = 1, padding: Padding2d = 0, dilation: Size2d = 1,
                                         groups: Int = 1) -> Tensor<Scalar> {
    precondition(x.rank == 4, "conv2d: input must be [N, C, H, W], got \(x.shape)")
    precondition(weight.rank == 4, "conv2d: weight must be [M, C/groups, KH, KW], got \(weight.shape)")
    precondition(groups >= 1 && weight.shape[1] * groups == x.shape[1],
                 "conv2d: weight \(weight.shape) with groups \(groups) does not match \(x.shape[1]) input channels")
    guard let g = Conv2dGeometry(input: x.shape, outputChannels: weight.shape[0],
                                 kernel: Size2d(weight.shape[2], weight.shape[3]), stride: stride, padding: padding,
                                 dilation: dilation, groups: groups, transposed: false) else {
        preconditionFailure("conv2d: impossible configuration: input \(x.shape), weight \(weight.shape), stride \(stride), padding \(padding), dilation \(dilation), groups \(groups)")
    }
    return Tensor.convolution(g, x, weight, bias)
}

/// x [N, C, H, W], weight [C, M/groups, KH, KW] (PyTorch's layout), bias [M]
/// -> [N, M, HO, WO] with HO = (H - 1) * stride - top - bottom + dilation * (KH - 1) + outputPadding + 1.
public func convTranspose2d<Scalar: TensorScalar>(_ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
                                                  stride: Size2d = 1, padding: Padding2d = 0,
                                                  outputPadding: Size2d = 0, dilation: Size2d = 1,
                                                  groups: Int = 1) -> Tensor<Scalar> {
    precondition(x.rank == 4, "convTranspose2d: input must be [N, C, H, W], got \(x.shape)")
    precondition(weight.rank == 4, "convTranspose2d: weight must be [C, M/groups, KH, KW], got \(weight.shape)")
    precondition(groups >= 1 && weight.shape[0] == x.shape[1],
                 "convTranspose2d: weight \(weight.shape) does not match \(x.shape[1]) input channels")
    guard let g = Conv2dGeometry(input: x.shape, outputChannels: weight.shape[1] * groups,
                                 kernel: Size2d(weight.shape[2], weight.shape[3]), stride: stride, padding: padding,
                                 dilation: dilation, groups: groups, outputPadding: outputPadding,
                                 transposed: true) else {
        preconditionFailure("convTranspose2d: impossible configuration: input \(x.shape), weight \(weight.shape), stride \(stride), padding \(padding), output padding \(outputPadding), dilation \(dilation), groups \(groups)")
    }
    return Tensor.convolution(g, x, weight, bias)
}

extension Tensor {
    static func convolution(_ g: Conv2dGeometry, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
        let name = g.transposed ? "convTranspose2d" : "conv2d"
        precondition(weight.shape == g.weightShape, "\(name): weight \(weight.shape) is not \(g.weightShape)")
        if let bias { precondition(bias.shape == [g.m], "\(name): bias \(bias.shape) is not [\(g.m)]") }

        let y = written(g.outputShape) { y in
            x.withPointer { xp in
                weight.withPointer { wp in
                    withOptionalPointer(bias) { bp in
                        if g.transposed {
                            Scalar.convTranspose2dForward(g, x: xp, weight: wp, bias: bp, y: y)
                        } else {
                            Scalar.conv2dForward(g, x: xp, weight: wp, bias: bp, y: y)
                        }
                    }
                }
            }
        }

        let needs = (x: x.node != nil, weight: weight.node != nil, bias: bias?.node != nil)
        // Only what the wanted gradients read is kept alive by the graph.
        let savedX = needs.weight ? x.detached() : nil
        let savedWeight = needs.x ? weight.detached() : nil
        let hasBias = bias != nil
        return record(name, y, inputs: [x, weight] + (bias.map { [$0] } ?? [])) { dy in
            let (dx, dw, db) = written(needs.x ? g.inputShape : nil, needs.weight ? g.weightShape : nil,
                                       needs.bias ? [g.m] : nil) { dx, dw, db in
                dy.withPointer { dyp in
                    withOptionalPointer(savedX) { xp in
                        withOptionalPointer(savedWeight) { wp in
                            if g.transposed {
                                Scalar.convTranspose2dBackward(g, x: xp, weight: wp, dy: dyp, dx: dx, dWeight: dw, dBias: db)
                            } else {
                                Scalar.conv2dBackward(g, x: xp, weight: wp, dy: dyp, dx: dx, dWeight: dw, dBias: db)
                            }
                        }
                    }
                }
            }
            return [dx, dw] + (hasBias ? [db] : [])
        }
    }
}
