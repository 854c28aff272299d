/// y = x · Wᵀ + b as one recorded op, with W stored [out, in] as in
/// PyTorch (so state dicts carry over). One gemm with the transpose flag
/// forward, two gemms backward — no materialised transpose of W, which
/// `x.matmul(weight.transposed())` would copy on every call.
extension Tensor {
    /// `self` [..., in] times `weight` [out, in] transposed, plus `bias` [out].
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2, "linear: weight must be [out, in], got \(weight.shape)")
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        precondition(rank >= 1 && shape[rank - 1] == inFeatures,
                     "linear: input \(shape) does not end in \(inFeatures) features")
        if let bias { precondition(bias.shape == [outFeatures], "linear: bias must be [\(outFeatures)], got \(bias.shape)") }
        let outShape = Array(shape.dropLast()) + [outFeatures]
        let m = count / Swift.max(inFeatures, 1)
        let x = detached(), w = weight.detached()
        var y = Tensor.gemm(x, transposed: false, w, transposed: true, m: m, n: outFeatures, k: inFeatures,
                            outShape: [m, outFeatures])
        if let bias { y = y.zipped(.add, bias) }
        y = y.reshapedRaw(outShape)
        let inShape = shape
        let needs = (node != nil, weight.node != nil, bias?.node != nil)
        let hasBias = bias != nil
        return Tensor.record("linear", y, inputs: bias.map { [self, weight, $0] } ?? [self, weight]) { g in
            let g2 = g.reshapedRaw([m, outFeatures])
            let dx = needs.0
                ? Tensor.gemm(g2, transposed: false, w, transposed: false, m: m, n: inFeatures, k: outFeatures,
                              outShape: [m, inFeatures]).reshapedRaw(inShape)
                : nil
            let dw = needs.1
                ? Tensor.gemm(g2, transposed: true, x, transposed: false, m: outFeatures, n: inFeatures, k: m,
                              outShape: [outFeatures, inFeatures])
                : nil
            guard hasBias else { return [dx, dw] }
            return [dx, dw, needs.2 ? g2.summed(axes: [0]).reshapedRaw([outFeatures]) : nil]
        }
    }
}
