//! Where the results of a generated harness's calls go.

/// Where a generated harness's `Live::apply` reads earlier outputs from and puts what a call
/// returned and produced: the run's own pool ([`crate::input::Produced`]) when one side runs,
/// an outcome to compare ([`crate::diverge::Compared`]) when two do.
pub trait Sink {
    /// Outputs of earlier calls, for this call to consume.
    fn feed(&self) -> &crate::input::Produced;
    /// The call's return value, as compared.
    fn ret(&mut self, value: i64);
    /// One output of the call.
    fn output(&mut self, bytes: Vec<u8>);
}
