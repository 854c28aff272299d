import DLImage
import DLRuntime

extension ImageInputContract {
    /// The contract a `.dlrt` file's `input.*` metadata states (docs/FORMAT.md),
    /// for its first graph input `[N, C, H, W]`. A model without the metadata
    /// (one not written by dlexport) is refused rather than guessed at.
    public init(model: Model) throws {
        guard let input = model.inputs.first, input.shape.count == 4 else {
            throw ClassifyError.model("the model's input is not an image batch [N, C, H, W]: \(model.inputs.first?.shape ?? [])")
        }
        func required<T>(_ value: T?, _ key: String) throws -> T {
            guard let value else {
                throw ClassifyError.model("the model has no '\(key)' metadata (export it with dlexport, which writes the input contract)")
            }
            return value
        }
        if let layout = model.string("input.layout"), layout != "NCHW" {
            throw ClassifyError.model("input.layout '\(layout)' is not NCHW")
        }
        let orderName = try required(model.string("input.channel_order"), "input.channel_order")
        guard let order = ChannelOrder(rawValue: orderName) else {
            throw ClassifyError.model("input.channel_order '\(orderName)' is not RGB, BGR or GRAY")
        }
        guard Int(input.shape[1]) == order.channels else {
            throw ClassifyError.model("input.channel_order \(orderName) but the input has \(input.shape[1]) channels")
        }
        let range = try required(model.doubles("input.pixel_range"), "input.pixel_range")
        guard range.count == 2, range[0] < range[1] else {
            throw ClassifyError.model("input.pixel_range \(range) is not [lo, hi] with lo < hi")
        }
        let mean = try required(model.doubles("input.mean"), "input.mean").map(Float.init)
        let std = try required(model.doubles("input.std"), "input.std").map(Float.init)
        let resize = try Resize(metadataName: try required(model.string("input.resize"), "input.resize"),
                                shorterSide: model.int("input.resize_shorter").map(Int.init))
        do {
            try self.init(width: Int(input.shape[3]), height: Int(input.shape[2]), channelOrder: order,
                          pixelRange: Float(range[0])...Float(range[1]), mean: mean, std: std, resize: resize)
        } catch let error as ImageError {
            throw ClassifyError.model("the model's input contract is invalid: \(error)")
        }
    }
}
