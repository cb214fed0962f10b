"""Analysis of result folders. Reads files only; never imports or runs the model."""
