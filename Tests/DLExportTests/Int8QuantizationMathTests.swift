import DeepLearning
import Testing
@testable import DLExport

/// The quantization arithmetic against values worked out by hand from
/// docs/FORMAT.md ("int8"): `real = s * (q - z)`, activations per tensor over
/// a range that includes 0, weights per channel symmetric in [-127, 127],
/// biases `round(b / (s_x * s_w[c]))` within the accumulator bound.
@Suite struct Int8QuantizationMathTests {
    @Test func activationRangeGivesScaleAndZeroPoint() {
        // [-1, 3]: s = 4/255, z = round(-128 + 1 / (4/255)) = round(-64.25) = -64.
        let signed = ActivationQuantization(range: -1...3)
        #expect(signed.scale == Float(4.0 / 255))
        #expect(signed.zeroPoint == -64)
        #expect(signed.quantize(0) == -64)
        // ReLU6 output [0, 6]: z = -128, so 0 is the lowest code.
        #expect(ActivationQuantization(range: 0...6) == ActivationQuantization(scale: Float(6.0 / 255), zeroPoint: -128))
        // A range away from 0 is widened to include it: [2, 5] -> [0, 5], [-3, -1] -> [-3, 0].
        #expect(ActivationQuantization(range: 2...5) == ActivationQuantization(scale: Float(5.0 / 255), zeroPoint: -128))
        #expect(ActivationQuantization(range: -3 ... -1) == ActivationQuantization(scale: Float(3.0 / 255), zeroPoint: 127))
        // Every calibrated range stays representable (within half a step at each end).
        let q = ActivationQuantization(range: -0.7...2.2)
        #expect(q.representableRange.lowerBound <= -0.7 + q.scale / 2)
        #expect(q.representableRange.upperBound >= 2.2 - q.scale / 2)
    }

    @Test func zeroRangeGetsASafeScale() {
        for range: ClosedRange<Float> in [0...0, 0...1e-40, -1e-42...0] {
            let q = ActivationQuantization(range: range)
            #expect(q.scale == ActivationQuantization.zeroRangeScale && q.zeroPoint == 0, "\(range)")
            #expect(q.quantize(0) == 0)
        }
    }

    @Test func quantizeRoundsHalfToEvenAndSaturates() {
        let unit = ActivationQuantization(scale: 1, zeroPoint: 0)
        #expect([2.5, 3.5, -2.5, -0.5, 126.5].map { unit.quantize($0) } == [2, 4, -2, 0, 126])
        #expect([1000, -1000, .infinity, -.infinity].map { unit.quantize($0) } == [127, -128, 127, -128])
        // NaN counts as 0, which is the zero point.
        #expect(ActivationQuantization(scale: 0.5, zeroPoint: 9).quantize(.nan) == 9)
        #expect(ActivationQuantization(scale: 0.5, zeroPoint: 9).dequantize(13) == 2)
    }

    @Test func weightsPerChannelSymmetric() throws {
        // Channel 0: max 127 -> scale 1: 63.5 rounds away from zero to 64, 25.4 to 25.
        // Channel 1: all zero -> the safe scale, all codes 0.
        // Channel 2: max 31.75 -> scale 0.25: 0.375 / 0.25 = 1.5 -> 2, -0.125 / 0.25 = -0.5 -> -1.
        let w = try WeightQuantization(weights: [63.5, -127, 25.4, 0, 0, 0, 31.75, 0.375, -0.125], channels: 3, tensor: "w")
        #expect(w.scales == [1, WeightQuantization.zeroChannelScale, 0.25])
        #expect(w.values == [64, -127, 25, 0, 0, 0, 127, 2, -1])
        #expect(w.tensorQuantization == .perChannel(axis: 0, scales: [1, 1, 0.25], zeroPoints: [0, 0, 0]))
        // -128 never appears, even for the most negative weight of a channel.
        let negative = try WeightQuantization(weights: [-4, 1, 3.99], channels: 1, tensor: "w")
        #expect(negative.values.min() == -127)
    }

    /// conv_transpose2d's weight [C, M, kh, kw] has its output channel on axis 1.
    @Test func weightsPerChannelOnAxisOne() throws {
        // Shape [2, 2, 1, 2]: channel 0 is elements 0, 1, 4, 5 (max 127 -> scale 1);
        // channel 1 is elements 2, 3, 6, 7 (max 31.75 -> scale 0.25: 0.125 -> 0.5 -> 1, -0.375 -> -1.5 -> -2).
        let weights: [Float] = [63.5, -2, 31.75, 0.125, 1, -127, -0.375, 0.25]
        let w = try WeightQuantization(weights: weights, shape: [2, 2, 1, 2], axis: 1, tensor: "w")
        #expect(w.scales == [1, 0.25])
        #expect(w.values == [64, -2, 127, 1, 1, -127, -2, 1])
        #expect(w.tensorQuantization == .perChannel(axis: 1, scales: w.scales, zeroPoints: [0, 0]))
        // Axis 0 of a 2-D shape is the channels-first layout.
        let first = try WeightQuantization(weights: [63.5, -127, 25.4, 0, 0, 0, 31.75, 0.375, -0.125], channels: 3, tensor: "w")
        let same = try WeightQuantization(weights: [63.5, -127, 25.4, 0, 0, 0, 31.75, 0.375, -0.125], shape: [3, 3], axis: 0, tensor: "w")
        #expect(first == same)
        #expect(throws: ExportError.self) { try WeightQuantization(weights: weights, shape: [2, 2, 2], axis: 3, tensor: "w") }
    }

    @Test func biasInInt32WithinTheAccumulatorBound() throws {
        let w = try WeightQuantization(weights: [63.5, -127, 25.4, 0, 0, 0, 31.75, 0.375, -0.125], channels: 3, tensor: "w")
        // s_x = 0.5: bias scales 0.5, 0.5, 0.125; -0.3 / 0.125 = -2.4 -> -2.
        #expect(w.biasScales(inputScale: 0.5) == [0.5, 0.5, 0.125])
        #expect(w.quantizedBias([10, 3, -0.3], inputScale: 0.5, inputsPerOutput: 3) == [20, 6, -2])
        // |bias_q| + 255 * 127 * K < 2^31: for K = 3 the largest bias_q is 2^31 - 1 - 97155 = 2147386492.
        #expect(WeightQuantization.biasLimit(inputsPerOutput: 3) == 2_147_386_492)
        // K = 66311 leaves 1912: a bias of 956 at scale 0.5 fits, 956.5 (1913) does not, nor does -956.5.
        #expect(WeightQuantization.biasLimit(inputsPerOutput: 66311) == 1912)
        #expect(w.quantizedBias([956, 0, 0], inputScale: 0.5, inputsPerOutput: 66311) == [1912, 0, 0])
        #expect(w.quantizedBias([956.5, 0, 0], inputScale: 0.5, inputsPerOutput: 66311) == nil)
        #expect(w.quantizedBias([0, -956.5, 0], inputScale: 0.5, inputsPerOutput: 66311) == nil)
        // K = 66312 leaves no room even for a zero bias.
        #expect(WeightQuantization.biasLimit(inputsPerOutput: 66312) == nil)
    }

    @Test func nonFiniteWeightsAreRefusedByName() {
        for bad: Float in [.nan, .infinity, -.infinity] {
            #expect(throws: ExportError.self) { try WeightQuantization(weights: [1, bad], channels: 1, tensor: "fc1.weight") }
            do {
                _ = try WeightQuantization(weights: [1, bad], channels: 1, tensor: "fc1.weight")
            } catch {
                #expect("\(error)".contains("fc1.weight"))
            }
        }
    }

    @Test func sqnrInDecibels() {
        var noise = SignalToQuantizationNoise()
        noise.add(reference: [3, 4], quantized: [2.7, 4.4])  // signal 25, noise 0.09 + 0.16 = 0.25
        #expect(abs(noise.decibels - 20) < 1e-6)
        var exact = SignalToQuantizationNoise()
        exact.add(reference: [1, 2], quantized: [1, 2])
        #expect(exact.decibels == .infinity)
    }

    @Test func methodNames() {
        #expect(CalibrationMethod("minmax") == .minmax)
        #expect(CalibrationMethod("entropy") == .entropy)
        #expect(CalibrationMethod("percentile") == .percentile(99.99))
        #expect(CalibrationMethod("percentile:99.9") == .percentile(99.9))
        #expect(CalibrationMethod("percentile:0") == nil)
        #expect(CalibrationMethod("kl") == nil)
    }
}

/// The observers on distributions whose right answer is known.
@Suite struct Int8ObserverTests {
    /// Roughly normal values (sum of 12 uniforms minus 6), seeded.
    static func normal(_ count: Int, seed: UInt64 = 5) -> [Float] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in (0..<12).reduce(Float(0)) { s, _ in s + Float.random(in: 0..<1, using: &g) } - 6 }
    }

    private func statistics(_ values: [Float]) throws -> ActivationStatistics {
        var s = ActivationStatistics(tensor: "t")
        try s.observeExtremes(values, sample: 0)
        s.observeHistogram(values)
        return s
    }

    @Test func minmaxKeepsEverything() throws {
        let s = try statistics([-1, 2, 0.5])
        #expect(s.range(.minmax) == -1...2)
    }

    @Test func percentileAndEntropyClipAHeavyTail() throws {
        let bulk = Self.normal(100_000)
        let s = try statistics(bulk + [Float](repeating: 100, count: 5) + [-80])
        #expect(s.range(.minmax) == s.minimum...100)
        // 99.99% of magnitudes are under ~4.5 (six outliers are 0.006%); one bin is 100/2048.
        let percentile = s.range(.percentile(99.99))
        #expect(percentile.upperBound > 3 && percentile.upperBound < 6, "\(percentile)")
        #expect(percentile.lowerBound < -3 && percentile.lowerBound > -6, "\(percentile)")
        // Entropy cuts the tail too: the threshold is far below the outliers.
        let entropy = s.range(.entropy)
        #expect(entropy.upperBound > 3 && entropy.upperBound < 20, "\(entropy)")
    }

    @Test func entropyKeepsAUniformRange() throws {
        // No tail to cut: the threshold stays near the maximum.
        var g = SplitMix64(seed: 9)
        let s = try statistics((0..<50_000).map { _ in Float.random(in: 0...1, using: &g) })
        let range = s.range(.entropy)
        #expect(range.lowerBound == s.minimum)
        #expect(range.upperBound > 0.9, "\(range)")
    }

    @Test func zeroTensorsAndNaNs() throws {
        let zeros = try statistics([0, 0, 0])
        for method in [CalibrationMethod.minmax, .percentile(99.99), .entropy] {
            #expect(zeros.range(method) == 0...0)
            #expect(ActivationQuantization(range: zeros.range(method)).scale == ActivationQuantization.zeroRangeScale)
        }
        var s = ActivationStatistics(tensor: "conv1")
        do {
            try s.observeExtremes([1, .nan], sample: 7)
            Issue.record("a NaN activation was accepted")
        } catch {
            #expect("\(error)".contains("conv1") && "\(error)".contains("sample 7"), "\(error)")
        }
        #expect(throws: ExportError.self) { try s.observeExtremes([.infinity], sample: 0) }
    }
}

/// Zeros (a ReLU's floor) and sparse histograms in the entropy search.
@Suite struct Int8EntropyEdgeTests {
    @Test func reluZerosDoNotNarrowTheRange() throws {
        // 90% exact zeros, the rest |normal|: the threshold follows the non-zero values.
        let positive = Int8ObserverTests.normal(40_000).map { abs($0) }
        var s = ActivationStatistics(tensor: "relu")
        let values = positive + [Float](repeating: 0, count: 360_000)
        try s.observeExtremes(values, sample: 0)
        s.observeHistogram(values)
        let histogram = try #require(s.histogram)
        #expect(histogram.zeros == 360_000 && histogram.total == 40_000)
        #expect(s.range(.entropy).upperBound > 2.5, "\(s.range(.entropy))")
        // The percentile counts the zeros: 99.99% of all values lie under the 99.9th non-zero one.
        #expect(s.range(.percentile(99.99)).upperBound < s.maximum)
    }

    @Test func sparseHistogramsAreNotClipped() throws {
        var s = ActivationStatistics(tensor: "logits")
        let values = Array(Int8ObserverTests.normal(500)) + [40]
        try s.observeExtremes(values, sample: 0)
        s.observeHistogram(values)
        #expect(s.range(.entropy) == s.minimum...40)
    }
}
