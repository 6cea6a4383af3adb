//! Handle types: one struct per handle kind holding the C pointer, its recorder id, its state
//! and what must outlive it; dropping it makes the destroy call.

use proc_macro2::TokenStream;
use quote::quote;

use super::names::{camel, ident};
use crate::contract::Alloc;
use crate::gen::plan::HandlePlan;

/// The struct, constructor and `Drop` of one handle kind; `side` labels the destroy call of a
/// differential twin's second side.
pub fn handle(h: &HandlePlan, side: Option<&str>) -> TokenStream {
    let ty = camel(&h.name);
    let ct = syn::parse_str::<syn::Type>(&h.c_type).unwrap_or_else(|_| syn::parse_quote!(u8));
    let destroy = ident(&h.destroy);
    let destroy_name = side.map_or_else(|| h.destroy.clone(), |s| format!("{s}::{}", h.destroy));
    let param = &h.destroy_param;
    let extra = &h.destroy_args;
    let call = quote!(ffi::#destroy(self.raw as _ #(, (#extra) as _)*));
    let call_stmt = if h.destroy_void {
        quote!(unsafe { #call }; call.done();)
    } else {
        quote!(let ret = unsafe { #call }; call.returned(ret as i64);)
    };
    let free = (h.alloc == Alloc::Caller).then(|| {
        quote! {
            // SAFETY: allocated by alloc_zeroed when the handle was made, freed once here.
            unsafe { seam_runtime::handle::free_zeroed(self.raw) };
        }
    });
    let doc = format!(" A live `{}` handle (`{}`), ended with `{}` when dropped.", h.c_type, h.name, h.destroy);
    quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        pub struct #ty {
            raw: *mut ffi::#ct,
            id: u32,
            state: u8,
            keep: Vec<std::rc::Rc<dyn std::any::Any>>,
        }

        impl #ty {
            fn wrap(raw: *mut ffi::#ct) -> Self {
                #ty { raw, id: seam_runtime::next_handle(), state: 0, keep: Vec::new() }
            }

            /// Its id in the boundary recorder.
            pub fn id(&self) -> u32 {
                self.id
            }
        }

        impl Drop for #ty {
            fn drop(&mut self) {
                let call = seam_runtime::enter(#destroy_name, &[seam_runtime::Arg::handle(#param, self.id)]);
                // SAFETY: a live handle, ended exactly once.
                #call_stmt
                #free
            }
        }
    }
}
