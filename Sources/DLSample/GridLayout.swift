/// How samples are tiled: `columns` x `rows` cells, filled row by row.
public struct GridLayout: Equatable, Sendable, CustomStringConvertible {
    public let columns: Int
    public let rows: Int

    public init(columns: Int, rows: Int) throws {
        guard columns >= 1, rows >= 1 else {
            throw SampleError.invalidArgument("a grid needs at least 1 column and 1 row, got \(columns)x\(rows)")
        }
        guard columns.multipliedReportingOverflow(by: rows).overflow == false, columns * rows <= 1 << 20 else {
            throw SampleError.invalidArgument("a \(columns)x\(rows) grid is too large (at most 2^20 cells)")
        }
        (self.columns, self.rows) = (columns, rows)
    }

    /// `COLUMNSxROWS`, e.g. `8x8` or `16x4`.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let columns = Int(parts[0]), let rows = Int(parts[1]) else {
            throw SampleError.invalidArgument("--grid '\(text)' is not COLUMNSxROWS (e.g. 8x8)")
        }
        try self.init(columns: columns, rows: rows)
    }

    /// The smallest near-square grid for `count` samples: ⌈√count⌉ columns.
    public static func fitting(_ count: Int) throws -> GridLayout {
        guard count >= 1 else { throw SampleError.invalidArgument("the number of samples must be at least 1, got \(count)") }
        var columns = 1
        while columns * columns < count { columns += 1 }
        return try GridLayout(columns: columns, rows: (count + columns - 1) / columns)
    }

    public var cells: Int { columns * rows }

    /// Throws unless `count` samples fill this grid: more than the cells do not fit,
    /// and a grid whose last row would be empty is refused as a mistake.
    public func check(holding count: Int) throws {
        guard count >= 1 else { throw SampleError.invalidArgument("the number of samples must be at least 1, got \(count)") }
        guard count <= cells else {
            throw SampleError.invalidArgument("a \(self) grid has \(cells) cells, too few for \(count) samples")
        }
        guard count > (rows - 1) * columns else {
            throw SampleError.invalidArgument("\(count) samples leave rows of the \(self) grid empty (use \(columns)x\((count + columns - 1) / columns))")
        }
    }

    public var description: String { "\(columns)x\(rows)" }
}
