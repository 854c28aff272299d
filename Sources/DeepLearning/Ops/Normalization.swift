/// Local response normalisation and batch normalisation over [N, C, ...]
/// tensors, PyTorch's semantics.

/// `F.local_response_norm`: y[c] = x[c] / (k + alpha / size * Σ x[j]²)^beta over
/// the channels j in [c - size/2, c + (size-1)/2] (clipped to the tensor).
public func localResponseNorm<Scalar: TensorScalar>(_ x: Tensor<Scalar>, size: Int, alpha: Double = 1e-4,
                                                    beta: Double = 0.75, k: Double = 1) -> Tensor<Scalar> {
    let (n, c, hw) = channelSplit(x.shape, "localResponseNorm")
    let p = LRNParameters(size: size, alpha: alpha, beta: beta, k: k)
    let y = Tensor.written(x.shape) { y in x.withPointer { Scalar.lrnForward(p, n: n, c: c, hw: hw, x: $0, y: y) } }
    let saved = x.detached()
    return Tensor.record("localResponseNorm", y, inputs: [x]) { dy in
        [Tensor.written(saved.shape) { dx in
            saved.withPointer { xp in dy.withPointer { Scalar.lrnBackward(p, n: n, c: c, hw: hw, x: xp, dy: $0, dx: dx) } }
        }]
    }
}

/// Batch normalisation of [N, C, ...] per channel (`F.batch_norm`):
/// - `training`: normalises with the batch mean and biased variance
///   (dk_batch_norm_train_forward for Float) and updates the running
///   statistics in place, `running = (1 - momentum) * running + momentum * batch`,
///   with the unbiased variance for `runningVar` (PyTorch's rule; N·inner > 1 needed).
///   The gradient flows through the batch statistics.
/// - evaluation: y = (x - runningMean) / sqrt(runningVar + eps) * gamma + beta
///   (a per-channel affine map); the running statistics are constants.
/// Differentiable with respect to x, gamma and beta in both modes; gamma / beta
/// nil mean 1 / 0 (`affine=False`). The running statistics are updated even
/// under `withNoGrad` (as PyTorch's train mode).
public func batchNorm2d<Scalar: TensorScalar>(_ x: Tensor<Scalar>, gamma: Tensor<Scalar>?, beta: Tensor<Scalar>?,
                                              runningMean: inout Tensor<Scalar>, runningVar: inout Tensor<Scalar>,
                                              training: Bool, momentum: Scalar = 0.1, eps: Scalar = 1e-5) -> Tensor<Scalar> {
    let (_, c, _) = channelSplit(x.shape, "batchNorm2d")
    precondition(runningMean.shape == [c] && runningVar.shape == [c],
                 "batchNorm2d: running statistics \(runningMean.shape), \(runningVar.shape) are not [\(c)]")
    if training {
        var mean: Tensor<Scalar>? = runningMean.detached(), variance: Tensor<Scalar>? = runningVar.detached()
        let y = Tensor.batchNormTraining(x, gamma: gamma, beta: beta, eps: eps, momentum: momentum,
                                         runningMean: &mean, runningVar: &variance)
        runningMean.assign(mean!)
        runningVar.assign(variance!)
        return y
    }
    return Tensor.batchNormInference(x, gamma: gamma, beta: beta, mean: runningMean, variance: runningVar, eps: eps)
}

/// Training-mode batch normalisation without running statistics
/// (`track_running_stats=False`): always the batch statistics.
public func batchNorm2d<Scalar: TensorScalar>(_ x: Tensor<Scalar>, gamma: Tensor<Scalar>?, beta: Tensor<Scalar>?,
                                              eps: Scalar = 1e-5) -> Tensor<Scalar> {
    var none: Tensor<Scalar>? = nil, alsoNone: Tensor<Scalar>? = nil
    return Tensor.batchNormTraining(x, gamma: gamma, beta: beta, eps: eps, momentum: 0,
                                    runningMean: &none, runningVar: &alsoNone)
}

extension Tensor {
    static func checkAffine(_ op: String, _ gamma: Tensor?, _ beta: Tensor?, channels c: Int) {
        if let gamma { precondition(gamma.shape == [c], "\(op): gamma \(gamma.shape) is not [\(c)]") }
        if let beta { precondition(beta.shape == [c], "\(op): beta \(beta.shape) is not [\(c)]") }
    }

    static func batchNormTraining(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Scalar, momentum: Scalar,
                                  runningMean: inout Tensor?, runningVar: inout Tensor?) -> Tensor {
        let (n, c, inner) = channelSplit(x.shape, "batchNorm2d")
        checkAffine("batchNorm2d", gamma, beta, channels: c)
        precondition(n * inner > 1, "batchNorm2d: training needs more than one value per channel, input shape \(x.shape)")
        var saveMean = Tensor.zeros([c]), saveInvstd = Tensor.zeros([c])
        let y = written(x.shape) { y in
            x.withPointer { xp in
                withOptionalPointer(gamma) { gp in
                    withOptionalPointer(beta) { bp in
                        withMutablePointer(&runningMean) { rm in
                            withMutablePointer(&runningVar) { rv in
                                saveMean.scalars.withUnsafeMutableBufferPointer { sm in
                                    saveInvstd.scalars.withUnsafeMutableBufferPointer { si in
                                        Scalar.batchNormTrainForward(
                                            n: n, c: c, inner: inner, x: xp, gamma: gp, beta: bp, eps: eps,
                                            momentum: momentum, runningMean: rm, runningVar: rv,
                                            saveMean: sm.baseAddress!, saveInvstd: si.baseAddress!, y: y)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let needs = (x: x.node != nil, gamma: gamma?.node != nil, beta: beta?.node != nil)
        let (savedX, savedGamma) = (x.detached(), gamma?.detached())
        let (hasGamma, hasBeta) = (gamma != nil, beta != nil)
        return record("batchNorm2d", y, inputs: [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])) { dy in
            let (dx, dGamma, dBeta) = written(needs.x ? savedX.shape : nil, needs.gamma ? [c] : nil,
                                              needs.beta ? [c] : nil) { dx, dg, db in
                savedX.withPointer { xp in
                    dy.withPointer { dyp in
                        withOptionalPointer(savedGamma) { gp in
                            saveMean.withPointer { sm in
                                saveInvstd.withPointer { si in
                                    Scalar.batchNormBackward(n: n, c: c, inner: inner, x: xp, dy: dyp, gamma: gp,
                                                             saveMean: sm, saveInvstd: si, dx: dx, dGamma: dg, dBeta: db)
                                }
                            }
                        }
                    }
                }
            }
            return [dx] + (hasGamma ? [dGamma] : []) + (hasBeta ? [dBeta] : [])
        }
    }

    /// y = x * scale + shift per channel, scale = gamma / sqrt(var + eps), shift = beta - mean * scale.
    static func batchNormInference(_ x: Tensor, gamma: Tensor?, beta: Tensor?, mean: Tensor, variance: Tensor,
                                   eps: Scalar) -> Tensor {
        let (n, c, inner) = channelSplit(x.shape, "batchNorm2d")
        checkAffine("batchNorm2d", gamma, beta, channels: c)
        let invstd = variance.scalars.map { 1 / ($0 + eps).squareRoot() }
        let means = mean.scalars
        let scale = Tensor(shape: [c], scalars: (0..<c).map { (gamma?.scalars[$0] ?? 1) * invstd[$0] })
        let shift = Tensor(shape: [c], scalars: (0..<c).map { (beta?.scalars[$0] ?? 0) - means[$0] * scale.scalars[$0] })
        let y = written(x.shape) { y in
            x.withPointer { xp in
                scale.withPointer { sp in
                    shift.withPointer { Scalar.channelAffineForward(n: n, c: c, inner: inner, scale: sp, shift: $0, x: xp, y: y) }
                }
            }
        }
        let needs = (x: x.node != nil, gamma: gamma?.node != nil, beta: beta?.node != nil)
        let savedX = needs.gamma ? x.detached() : nil
        let (hasGamma, hasBeta) = (gamma != nil, beta != nil)
        return record("batchNorm2d", y, inputs: [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])) { dy in
            let (dx, dScale, dShift) = written(needs.x ? dy.shape : nil, needs.gamma ? [c] : nil,
                                               needs.gamma || needs.beta ? [c] : nil) { dx, ds, dt in
                dy.withPointer { dyp in
                    withOptionalPointer(savedX) { xp in
                        scale.withPointer { sp in
                            Scalar.channelAffineBackward(n: n, c: c, inner: inner, x: xp, scale: sp, dy: dyp,
                                                         dx: dx, dScale: ds, dShift: dt)
                        }
                    }
                }
            }
            // dgamma = Σ dy (x - mean) invstd = invstd (dscale - mean dshift); dbeta = dshift.
            let dGamma = dScale.map { ds in
                Tensor(shape: [c], scalars: (0..<c).map { invstd[$0] * (ds.scalars[$0] - means[$0] * dShift!.scalars[$0]) })
            }
            return [dx] + (hasGamma ? [dGamma] : []) + (hasBeta ? [needs.beta ? dShift : nil] : [])
        }
    }
}
