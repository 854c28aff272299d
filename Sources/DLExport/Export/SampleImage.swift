import DeepLearning
import DLImage

extension InputContract {
    /// The same contract on the image side, for a model input of `height` x `width`:
    /// what a deployed program (classify) builds from the model's metadata.
    public func imageContract(height: Int, width: Int) throws -> ImageInputContract {
        guard let order = ImageInputContract.ChannelOrder(rawValue: channelOrder) else {
            throw ExportError.checkpoint("the input contract's channel order '\(channelOrder)' is none of RGB, BGR, GRAY")
        }
        let resize: ImageInputContract.Resize
        switch self.resize {
        case .stretch: resize = .stretch
        case .centerCrop(let side): resize = .centerCrop(shorterSide: side)
        }
        do {
            return try ImageInputContract(width: width, height: height, channelOrder: order,
                                          pixelRange: Float(pixelRange[0])...Float(pixelRange[1]),
                                          mean: mean.map { Float($0) }, std: std.map { Float($0) }, resize: resize)
        } catch {
            throw ExportError.checkpoint("the input contract does not fit a \(width)x\(height) input: \(error)")
        }
    }

    /// The model input for the image file at `path`, made as the contract says
    /// (decode, channels, resize or crop, normalise) for `inputShape` [C, H, W].
    public func input(imageAt path: String, inputShape: [Int]) throws -> [Float] {
        guard inputShape.count == 3, inputShape[0] == channels else {
            throw ExportError.checkpoint("an image sample needs a model that takes [\(channels), H, W], this one takes \(inputShape)")
        }
        let contract = try imageContract(height: inputShape[1], width: inputShape[2])
        do {
            return try contract.tensor(contentsOf: path)
        } catch {
            throw ExportError.checkpoint("cannot use '\(path)' as the sample: \(error)")
        }
    }
}
