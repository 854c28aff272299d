/// Gradient clipping, applied between `backward()` and `step()`.

/// Scales the gradients of `parameters` together so that their total
/// `normType`-norm (2 by default; `.infinity` for the max-abs norm) is at
/// most `maxNorm`, and returns the total norm *before* clipping — the
/// number worth logging, since a run whose norm keeps hitting the limit is
/// not training as configured. As in PyTorch the scale is
/// maxNorm / (norm + 1e-6), applied only when below 1. Parameters without
/// a gradient are ignored. The norm is accumulated in Double.
///
/// A non-finite norm (an inf or NaN gradient) is returned as is and the
/// gradients are left untouched: scaling by maxNorm / inf would zero them
/// and NaN would spread, hiding the divergence. Check the result with
/// `isFinite` and skip the step (as a loss scaler does) when it is not.
@discardableResult
public func clipGradNorm<Scalar: TensorScalar>(_ parameters: [Parameter<Scalar>], maxNorm: Double,
                                               normType: Double = 2) -> Scalar {
    precondition(maxNorm >= 0, "clipGradNorm: maxNorm must be >= 0")
    precondition(normType > 0, "clipGradNorm: normType must be positive")
    let withGradients = parameters.filter { $0.grad != nil }
    var total: Double = 0
    for parameter in withGradients {
        parameter.grad!.withUnsafeBufferPointer { g in
            for x in g {
                let a = Swift.abs(Double(x))
                if normType == .infinity {
                    if a > total || a.isNaN { total = a }
                } else if normType == 2 {
                    total += a * a
                } else {
                    total += Double.pow(a, normType)
                }
            }
        }
    }
    let norm: Double
    if normType == .infinity {
        norm = total
    } else if normType == 2 {
        norm = total.squareRoot()
    } else {
        norm = Double.pow(total, 1 / normType)
    }
    guard norm.isFinite else { return Scalar(norm) }
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        withNoGrad {
            for parameter in withGradients { parameter.grad = parameter.grad! * Scalar(scale) }
        }
    }
    return Scalar(norm)
}

/// Clamps every gradient element of `parameters` to [-clipValue, clipValue]
/// (PyTorch's `clip_grad_value_`). NaN elements stay NaN.
public func clipGradValue<Scalar: TensorScalar>(_ parameters: [Parameter<Scalar>], clipValue: Double) {
    precondition(clipValue >= 0, "clipGradValue: clipValue must be >= 0")
    let c = Scalar(clipValue)
    withNoGrad {
        for parameter in parameters {
            guard let grad = parameter.grad else { continue }
            parameter.grad = grad.mapped(.clamp(min: -c, max: c))
        }
    }
}
