//! Role guessing: which opaque types are handles, which calls make and end them, and how each
//! parameter is chosen. Every guess carries a note saying what was guessed and why.

use std::collections::{HashMap, HashSet};

use crate::audit::types::CType;

use super::{Api, Function};

/// A value in a guessed table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
}

/// `args.<param> = { ... }`.
#[derive(Clone, Debug)]
pub struct ArgGuess {
    /// The C parameter name.
    pub param: String,
    /// The keys in the order they are written (`review` excluded).
    pub keys: Vec<(&'static str, Val)>,
    /// What was guessed and why.
    pub review: String,
}

/// `[functions.<name>]`.
#[derive(Clone, Debug)]
pub struct FnGuess {
    /// The C name.
    pub name: String,
    /// The C declaration, for a comment above the table.
    pub signature: String,
    /// `exclude = "..."`.
    pub exclude: Option<String>,
    /// `returns = "..."`.
    pub returns: Option<String>,
    /// `ok = "..."`.
    pub ok: Option<String>,
    /// `args.<param>`, in parameter order.
    pub args: Vec<ArgGuess>,
    /// Function-level notes, joined into one `review`.
    pub review: Vec<String>,
}

/// How a handle kind is allocated (`alloc = ...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alloc {
    /// Create returns `T*`.
    Returned,
    /// Create writes `T*` through a `T**` argument.
    Out,
    /// The caller allocates a `T` and create initialises it.
    Caller,
}

impl Alloc {
    /// The contract spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Alloc::Returned => "returned",
            Alloc::Out => "out",
            Alloc::Caller => "caller",
        }
    }
}

/// `[handles.<kind>]`.
#[derive(Clone, Debug)]
pub struct HandleGuess {
    /// The kind's name.
    pub kind: String,
    /// The C type a handle points to, as the header spells it.
    pub ty: String,
    /// Calls that make one.
    pub create: Vec<String>,
    /// The call that ends one (`None`: none found).
    pub destroy: Option<String>,
    /// How it is allocated.
    pub alloc: Alloc,
    /// What was guessed and why (written as `# review:` comments: handles have no `review` key).
    pub notes: Vec<String>,
}

/// Everything guessed for one header.
#[derive(Clone, Debug)]
pub struct Guesses {
    /// Handle kinds, in order of first appearance.
    pub handles: Vec<HandleGuess>,
    /// One entry per function, in header order.
    pub functions: Vec<FnGuess>,
}

const CTOR_WORDS: &[&str] = &["new", "open", "create", "alloc", "allocate", "init", "initialize", "initialise", "dup", "duplicate", "clone"];
const CTOR_TAILS: &[&str] = &["open", "new", "create", "alloc", "init", "dup"];
const DTOR_WORDS: &[&str] =
    &["free", "close", "destroy", "end", "delete", "release", "dispose", "unref", "fini", "deinit", "cleanup", "finalize", "finalise"];
const DTOR_TAILS: &[&str] = &["free", "close", "destroy", "delete", "release"];
const ADOPT_WORDS: &[&str] = &["adopt", "give", "attach", "consume", "transfer", "steal", "own", "owned"];

/// The words of a C name: split at `_`, other punctuation and lower-to-upper case changes,
/// lowercased; digits stay with their word.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn name_has(name: &str, exact: &[&str], tails: &[&str]) -> bool {
    let ws = words(name);
    let hit = ws.iter().any(|w| exact.contains(&w.trim_end_matches(|c: char| c.is_ascii_digit())));
    let edge = |w: Option<&String>| w.is_some_and(|w| tails.iter().any(|t| w.len() > t.len() && w.trim_end_matches(|c: char| c.is_ascii_digit()).ends_with(t)));
    hit || edge(ws.first()) || edge(ws.last())
}

/// Whether a name says it makes something (new/open/create/alloc/init/dup ...).
pub fn is_ctor_name(name: &str) -> bool {
    name_has(name, CTOR_WORDS, CTOR_TAILS)
}

/// Whether a name says it ends something (free/close/destroy/end/delete/release ...).
pub fn is_dtor_name(name: &str) -> bool {
    name_has(name, DTOR_WORDS, DTOR_TAILS)
}

fn is_adopt_name(name: &str) -> bool {
    words(name).iter().any(|w| ADOPT_WORDS.contains(&w.as_str()))
}

/// Whether an integer parameter's name reads as the length of the buffer `buf` before it.
pub fn is_len_name(name: &str, buf: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let b = buf.to_ascii_lowercase();
    const EXACT: &[&str] = &["len", "length", "size", "n", "count", "nbytes", "nb", "num", "sz", "cb", "bytes", "nmemb", "cnt"];
    const ENDS: &[&str] = &["len", "length", "size", "count", "_n", "bytes", "_sz", "_cnt"];
    EXACT.contains(&n.as_str())
        || ENDS.iter().any(|e| n.ends_with(e))
        || n.starts_with("n_")
        || n.starts_with("num_")
        || n == format!("n{b}")
}

/// Whether an integer parameter's name reads as the capacity of the buffer `buf` before it.
pub fn is_cap_name(name: &str, buf: &str) -> bool {
    let n = name.to_ascii_lowercase();
    const EXACT: &[&str] = &["cap", "capacity", "max", "avail", "room", "space", "maxlen", "bufsize", "outlen"];
    const ENDS: &[&str] = &["cap", "capacity", "_max", "_avail", "_room", "_space"];
    is_len_name(name, buf) || EXACT.contains(&n.as_str()) || ENDS.iter().any(|e| n.ends_with(e)) || n.starts_with("max_")
}

/// `T*` (1) or `T**` (2) of a named type, with whether the outer pointer is mutable.
fn ptr_to_named(t: &CType) -> Option<(&str, usize, bool)> {
    let CType::Ptr { mutable, pointee } = t else { return None };
    match &**pointee {
        CType::Named(n) => Some((n, 1, *mutable)),
        CType::Ptr { pointee: inner, .. } => match &**inner {
            CType::Named(n) => Some((n, 2, *mutable)),
            _ => None,
        },
        _ => None,
    }
}

/// A pointer to bytes (`char`, `uint8_t`, `void`): (mutable, `char`-like).
fn byte_ptr(t: &CType) -> Option<(bool, bool)> {
    let CType::Ptr { mutable, pointee } = t else { return None };
    match &**pointee {
        CType::Int { bits: 8, signed } => Some((*mutable, *signed)),
        CType::Void => Some((*mutable, false)),
        _ => None,
    }
}

/// A writable pointer to an integer (`size_t *`).
fn int_out_ptr(t: &CType) -> bool {
    matches!(t, CType::Ptr { mutable: true, pointee } if matches!(**pointee, CType::Int { .. }))
}

fn is_int(t: &CType) -> bool {
    matches!(t, CType::Int { .. })
}

/// Two pointees that the same free function takes: equal, or integers of one width.
fn same_pointee(a: &CType, b: &CType) -> bool {
    match (a, b) {
        (CType::Int { bits: x, .. }, CType::Int { bits: y, .. }) => x == y,
        _ => a == b,
    }
}

fn pointee(t: &CType) -> Option<&CType> {
    match t {
        CType::Ptr { pointee, .. } => Some(pointee),
        _ => None,
    }
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x.eq_ignore_ascii_case(y)).count()
}

fn s(v: &str) -> Val {
    Val::Str(v.to_string())
}

/// A handle kind while it is being worked out.
struct Kind {
    name: String,
    spelled: String,
    create: Vec<usize>,
    destroy: Option<usize>,
    alloc: Alloc,
    notes: Vec<String>,
}

struct Guesser<'a> {
    api: &'a Api,
    kinds: Vec<Kind>,
    /// Normalised type name -> kinds of that type.
    by_type: HashMap<String, Vec<usize>>,
    /// Function index -> (kind, role note).
    creates: HashMap<usize, usize>,
    destroys: HashMap<usize, usize>,
    /// Further calls that end a handle of a kind, besides its destroy call.
    extra_destroys: HashMap<usize, usize>,
    /// Functions that free memory other calls return: function index -> pointee.
    frees: HashMap<usize, CType>,
}

/// Guesses handles and argument roles for every function of `api`. `prefixes` are name
/// prefixes (`seeded_`) stripped from type names to name handle kinds.
pub fn guess(api: &Api, prefixes: &[String]) -> Guesses {
    let mut g = Guesser {
        api,
        kinds: Vec::new(),
        by_type: HashMap::new(),
        creates: HashMap::new(),
        destroys: HashMap::new(),
        extra_destroys: HashMap::new(),
        frees: HashMap::new(),
    };
    g.find_handles(prefixes);
    g.find_frees();
    let functions = (0..api.functions.len()).map(|i| g.function(i)).collect();
    let handles = g
        .kinds
        .iter()
        .map(|k| HandleGuess {
            kind: k.name.clone(),
            ty: k.spelled.clone(),
            create: k.create.iter().map(|&i| api.functions[i].name.clone()).collect(),
            destroy: k.destroy.map(|i| api.functions[i].name.clone()),
            alloc: k.alloc,
            notes: k.notes.clone(),
        })
        .collect();
    Guesses { handles, functions }
}

impl Guesser<'_> {
    fn f(&self, i: usize) -> &Function {
        &self.api.functions[i]
    }

    fn spelled(&self, named: &str) -> String {
        self.api.spelled.get(named).cloned().unwrap_or_else(|| named.to_string())
    }

    /// Named types behind pointers, in order of first appearance.
    fn pointed_types(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for f in &self.api.functions {
            for t in std::iter::once(&f.ret).chain(f.params.iter().map(|p| &p.ty)) {
                if let Some((n, _, _)) = ptr_to_named(t) {
                    if !seen.iter().any(|s: &String| s == n) {
                        seen.push(n.to_string());
                    }
                }
            }
        }
        seen
    }

    fn find_handles(&mut self, prefixes: &[String]) {
        let n_fns = self.api.functions.len();
        for named in self.pointed_types() {
            let opaque = self.api.opaque.contains(&named);
            let record = self.api.records.contains(&named);
            if !opaque && !record {
                continue;
            }
            let spelled = self.spelled(&named);
            let returners: Vec<usize> =
                (0..n_fns).filter(|&i| matches!(ptr_to_named(&self.f(i).ret), Some((n, 1, _)) if n == named)).collect();
            let outers: Vec<usize> = (0..n_fns)
                .filter(|&i| self.f(i).params.iter().any(|p| matches!(ptr_to_named(&p.ty), Some((n, 2, true)) if n == named)))
                .collect();
            let named_returners: Vec<usize> = returners.iter().copied().filter(|&i| is_ctor_name(&self.f(i).name)).collect();
            let mut notes: Vec<(usize, String)> = Vec::new();
            let (alloc, creates) = if (opaque && !(returners.is_empty() && outers.is_empty())) || !named_returners.is_empty() {
                let ret_creates = if !named_returners.is_empty() {
                    for &i in &named_returners {
                        notes.push((i, format!("{} returns a {spelled} * and its name says it makes one", self.f(i).name)));
                    }
                    named_returners
                } else {
                    for &i in &returners {
                        notes.push((i, format!("{} returns a {spelled} * (its name does not say it makes one)", self.f(i).name)));
                    }
                    returners.clone()
                };
                let mut out_creates: Vec<usize> =
                    outers.iter().copied().filter(|&i| is_ctor_name(&self.f(i).name) && !is_dtor_name(&self.f(i).name)).collect();
                if out_creates.is_empty() && ret_creates.is_empty() {
                    out_creates = outers.iter().copied().filter(|&i| !is_dtor_name(&self.f(i).name)).collect();
                }
                if ret_creates.is_empty() {
                    for &i in &out_creates {
                        notes.push((i, format!("{} writes a new {spelled} * through a {spelled} ** argument", self.f(i).name)));
                    }
                    (Alloc::Out, out_creates)
                } else {
                    for &i in &out_creates {
                        notes.push((
                            i,
                            format!(
                                "{} also writes a {spelled} * through a {spelled} **: not listed as a create call, since one kind has one `alloc`",
                                self.f(i).name
                            ),
                        ));
                    }
                    (Alloc::Returned, ret_creates)
                }
            } else if record && !opaque {
                // A struct the caller allocates and an init call fills (zlib's z_stream).
                let first_is = |i: usize| matches!(self.f(i).params.first().and_then(|p| ptr_to_named(&p.ty)), Some((n, 1, _)) if n == named);
                let inits: Vec<usize> = (0..n_fns)
                    .filter(|&i| first_is(i) && is_ctor_name(&self.f(i).name) && !is_dtor_name(&self.f(i).name))
                    .filter(|&i| matches!(self.f(i).params[0].ty, CType::Ptr { mutable: true, .. }))
                    .collect();
                let ends = (0..n_fns).any(|i| first_is(i) && is_dtor_name(&self.f(i).name));
                if inits.is_empty() || !ends {
                    continue;
                }
                for &i in &inits {
                    notes.push((
                        i,
                        format!(
                            "{spelled} is a struct with public fields; {} takes a {spelled} * first and its name says it initialises one: guessed the caller allocates it",
                            self.f(i).name
                        ),
                    ));
                }
                (Alloc::Caller, inits)
            } else {
                continue;
            };
            if creates.is_empty() {
                continue;
            }
            self.add_kinds(&named, &spelled, alloc, creates, notes, prefixes);
        }
    }

    /// Destroy candidates of a type: calls taking it whose name says they end one, best first;
    /// else `void f(T*)` calls. The flag says whether the name said so.
    fn destroy_candidates(&self, named: &str, creates: &[usize]) -> (Vec<usize>, bool) {
        let takes = |i: usize| self.f(i).params.iter().any(|p| matches!(ptr_to_named(&p.ty), Some((n, _, _)) if n == named));
        let mut by_name: Vec<usize> = (0..self.api.functions.len())
            .filter(|i| !creates.contains(i) && !self.creates.contains_key(i) && !self.destroys.contains_key(i))
            .filter(|&i| takes(i) && is_dtor_name(&self.f(i).name))
            .collect();
        if !by_name.is_empty() {
            by_name.sort_by_key(|&i| (self.f(i).params.len() != 1, self.f(i).ret != CType::Void, i));
            return (by_name, true);
        }
        let void_one: Vec<usize> = (0..self.api.functions.len())
            .filter(|i| !creates.contains(i) && !self.creates.contains_key(i))
            .filter(|&i| {
                let f = self.f(i);
                f.ret == CType::Void && f.params.len() == 1 && matches!(ptr_to_named(&f.params[0].ty), Some((n, 1, true)) if n == named)
            })
            .collect();
        (void_one, false)
    }

    fn add_kinds(&mut self, named: &str, spelled: &str, alloc: Alloc, creates: Vec<usize>, notes: Vec<(usize, String)>, prefixes: &[String]) {
        let (dtors, by_name) = self.destroy_candidates(named, &creates);
        // Several calls that end one: one kind per destroy call, creates going to the destroy
        // call whose name shares the longest prefix with theirs (deflateInit_ / deflateEnd).
        let mut groups: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
        if dtors.is_empty() {
            groups.push((None, creates.clone()));
        } else if by_name && dtors.len() > 1 {
            let mut assigned: Vec<Vec<usize>> = vec![Vec::new(); dtors.len()];
            for &c in &creates {
                let best = (0..dtors.len())
                    .max_by_key(|&d| (common_prefix(&self.f(c).name, &self.f(dtors[d]).name), std::cmp::Reverse(d)))
                    .unwrap_or(0);
                assigned[best].push(c);
            }
            for (d, cs) in dtors.iter().zip(assigned) {
                if !cs.is_empty() {
                    groups.push((Some(*d), cs));
                }
            }
        } else {
            groups.push((Some(dtors[0]), creates.clone()));
        }
        let split = groups.len() > 1;
        let base = kind_base(spelled, prefixes);
        let first_kind = self.kinds.len();
        for (gi, (dtor, cs)) in groups.iter().enumerate() {
            let mut name = if split {
                let stem = dtor.map(|d| dtor_stem(&self.f(d).name, prefixes)).unwrap_or_default();
                if stem.is_empty() {
                    format!("{base}_{}", gi + 1)
                } else {
                    stem
                }
            } else {
                base.clone()
            };
            if name.is_empty() {
                name = "handle".into();
            }
            let unique = {
                let mut n = name.clone();
                let mut k = 2;
                while self.kinds.iter().any(|x| x.name == n) {
                    n = format!("{name}_{k}");
                    k += 1;
                }
                n
            };
            // Notes about this group's creates; notes about other calls go with the first group.
            let mut ks_notes: Vec<String> = notes
                .iter()
                .filter(|(f, _)| cs.contains(f) || (gi == 0 && !creates.contains(f)))
                .map(|(_, n)| n.clone())
                .collect();
            match dtor {
                Some(d) if by_name => ks_notes.push(format!("{} takes a {spelled} * and its name says it ends one", self.f(*d).name)),
                Some(d) => ks_notes.push(format!("{} is `void f({spelled} *)`: guessed it ends one (no name says so)", self.f(*d).name)),
                None => ks_notes.push(format!("no call that ends a {spelled} was found: name one in `destroy`")),
            }
            if split {
                ks_notes.push(format!("{spelled} has several calls that end one: one kind per call, creates matched by name"));
            }
            let idx = self.kinds.len();
            for &c in cs {
                self.creates.insert(c, idx);
            }
            if let Some(d) = dtor {
                self.destroys.insert(*d, idx);
            }
            self.kinds.push(Kind {
                name: unique,
                spelled: spelled.to_string(),
                create: cs.clone(),
                destroy: *dtor,
                alloc,
                notes: ks_notes,
            });
            self.by_type.entry(named.to_string()).or_default().push(idx);
        }
        if by_name {
            for &d in &dtors {
                if !self.destroys.contains_key(&d) {
                    let k = (first_kind..self.kinds.len())
                        .max_by_key(|&k| self.kinds[k].destroy.map_or(0, |x| common_prefix(&self.f(x).name, &self.f(d).name)))
                        .unwrap_or(first_kind);
                    self.extra_destroys.insert(d, k);
                    let note = format!("{} also ends a {spelled}: excluded", self.f(d).name);
                    self.kinds[k].notes.push(note);
                }
            }
        }
    }

    /// Calls that free memory others return: a name that says so, one pointer parameter that
    /// is not a handle.
    fn find_frees(&mut self) {
        for (i, f) in self.api.functions.iter().enumerate() {
            if self.destroys.contains_key(&i) || self.extra_destroys.contains_key(&i) || f.params.len() != 1 || !is_dtor_name(&f.name) {
                continue;
            }
            let t = &f.params[0].ty;
            if let Some((n, _, _)) = ptr_to_named(t) {
                if self.by_type.contains_key(n) {
                    continue;
                }
            }
            if let Some(p) = pointee(t) {
                self.frees.insert(i, p.clone());
            }
        }
    }

    /// The kind a `T*` of type `named` stands for in function `fi`.
    fn kind_for(&self, named: &str, fi: usize) -> Option<usize> {
        let ks = self.by_type.get(named)?;
        if ks.len() == 1 {
            return ks.first().copied();
        }
        let fname = &self.f(fi).name;
        // The longest shared name prefix; on a tie, the kind found first.
        ks.iter().copied().max_by_key(|&k| {
            let kind = &self.kinds[k];
            let score = kind.create.iter().chain(kind.destroy.iter()).map(|&x| common_prefix(fname, &self.f(x).name)).max().unwrap_or(0);
            (score, std::cmp::Reverse(k))
        })
    }

    /// The call that frees memory of `pointee` type: one taking that type, else one taking
    /// `void *`; `None` when the header has neither.
    fn free_for(&self, pointee: &CType) -> Option<String> {
        let mut frees: Vec<(&usize, &CType)> = self.frees.iter().collect();
        frees.sort_by_key(|(i, _)| **i);
        frees
            .iter()
            .find(|(_, p)| same_pointee(p, pointee))
            .or_else(|| frees.iter().find(|(_, p)| **p == CType::Void))
            .map(|(i, _)| self.f(**i).name.clone())
    }

    /// The call that allocates buffers of `pointee` type (for `adopt`).
    fn alloc_for(&self, pointee: &CType) -> Option<String> {
        self.api
            .functions
            .iter()
            .enumerate()
            .find(|(i, f)| {
                !self.creates.contains_key(i)
                    && words(&f.name).iter().any(|w| w.starts_with("alloc") || w == "new" || w == "malloc")
                    && matches!(&f.ret, CType::Ptr { pointee: p, .. } if same_pointee(p, pointee))
            })
            .map(|(_, f)| f.name.clone())
    }

    fn function(&self, fi: usize) -> FnGuess {
        let f = self.f(fi);
        let mut g = FnGuess {
            name: f.name.clone(),
            signature: f.signature.clone(),
            exclude: None,
            returns: None,
            ok: None,
            args: Vec::new(),
            review: Vec::new(),
        };
        if f.variadic {
            g.exclude = Some("variadic".into());
            g.review.push("declared with `...`: the harness cannot call it".into());
            return g;
        }
        let mut todo: Vec<String> = Vec::new();
        let create_kind = self.creates.get(&fi).copied();
        let destroy_kind = self.destroys.get(&fi).copied();

        if let Some(k) = create_kind {
            let kind = &self.kinds[k];
            g.review.push(format!("guessed to make a `{}` handle (see [handles.{}])", kind.name, kind.name));
            match kind.alloc {
                Alloc::Returned => g.returns = Some(format!("handle:{}", kind.name)),
                Alloc::Out | Alloc::Caller if is_int(&f.ret) => {
                    g.ok = Some("== 0".into());
                    g.review.push("guessed `ok = \"== 0\"`: check what it returns on success".into());
                }
                _ => {}
            }
        }
        if let Some(k) = destroy_kind {
            g.review.push(format!("guessed to end a `{}` handle: the harness calls it when it drops one", self.kinds[k].name));
        }
        if let Some(&k) = self.extra_destroys.get(&fi) {
            g.exclude = Some(format!(
                "ends a `{}` handle besides its destroy call: calling it would leave a dangling handle",
                self.kinds[k].name
            ));
            g.review.push(format!("its name says it ends a {}; the handle's destroy call is another one", self.kinds[k].spelled));
        }
        if self.frees.contains_key(&fi) {
            g.exclude = Some("frees memory other calls hand out: the harness calls it for `owned` results itself".into());
            g.review.push(format!("guessed a free function: its name says so and it takes one pointer ({})", f.params[0].c_type));
        }

        // The return value, when it is not a new handle.
        if create_kind.is_none() {
            match &f.ret {
                CType::Ptr { .. } if ptr_to_named(&f.ret).is_some_and(|(n, d, _)| d == 1 && self.by_type.contains_key(n)) => {
                    let (n, _, _) = ptr_to_named(&f.ret).unwrap_or(("", 0, false));
                    todo.push(format!("it returns a {} * that is not a new handle (borrowed from another?)", self.spelled(n)));
                }
                CType::Ptr { mutable: false, pointee } if matches!(**pointee, CType::Int { bits: 8, .. }) => {
                    g.returns = Some("static_str".into());
                    g.review.push("returns a const char *: guessed a NUL-terminated string the library owns".into());
                }
                CType::Ptr { mutable: false, .. } => {
                    g.review.push("returns a const pointer: guessed the library owns it (no `returns`)".into());
                }
                CType::Ptr { pointee: pt, .. } => {
                    let into_arg = f.params.iter().find(|p| matches!(&p.ty, CType::Ptr { pointee: q, .. } if same_pointee(q, pt)));
                    match (into_arg, self.free_for(pt)) {
                        (Some(p), _) => g.review.push(format!(
                            "returns a pointer of the type of `{}`: guessed it points into that argument, not owned (no `returns`)",
                            p.name
                        )),
                        (None, Some(free)) => {
                            g.returns = Some(format!("owned:{free}"));
                            g.review.push(format!("returns a pointer: guessed the caller owns it and frees it with {free}"));
                        }
                        (None, None) => g.review.push(
                            "returns a pointer and the header has no function that frees one: if the caller owns it, add returns = \"owned:<free_fn>\"".into(),
                        ),
                    }
                }
                _ => {}
            }
        }

        let params = &f.params;
        let mut used = vec![false; params.len()];
        for i in 0..params.len() {
            if used[i] {
                continue;
            }
            used[i] = true;
            let p = &params[i];
            let next = params.get(i + 1).filter(|_| !used.get(i + 1).copied().unwrap_or(true));
            let mut arg = |keys: Vec<(&'static str, Val)>, review: String| {
                g.args.push(ArgGuess { param: p.name.clone(), keys, review });
            };
            let t = &p.ty;
            if let CType::FnPtr { .. } = t {
                arg(vec![("callback", s("TODO"))], format!("`{}` is a function pointer ({}): write a Rust function for it and name it here", p.name, p.c_type));
                todo.push(format!("`{}` is a callback", p.name));
                continue;
            }
            if let Some((named, depth, outer_mut)) = ptr_to_named(t) {
                if let Some(k) = self.kind_for(named, fi) {
                    let kind = &self.kinds[k];
                    let first_handle_param = params.iter().position(|q| ptr_to_named(&q.ty).is_some_and(|(n, _, _)| n == named)) == Some(i);
                    let new_here = create_kind == Some(k)
                        && first_handle_param
                        && ((kind.alloc == Alloc::Out && depth == 2) || (kind.alloc == Alloc::Caller && depth == 1));
                    if new_here {
                        arg(
                            vec![("new_handle", s(&kind.name))],
                            format!("`{}` ({}): guessed {} puts the new `{}` handle here", p.name, p.c_type, f.name, kind.name),
                        );
                    } else if depth == 1 || destroy_kind == Some(k) {
                        arg(vec![("handle", s(&kind.name))], format!("`{}` is a {}: a live `{}` handle", p.name, p.c_type, kind.name));
                    } else if outer_mut {
                        arg(
                            vec![("new_handle", s(&kind.name))],
                            format!("`{}` ({}): guessed a new `{}` handle is written here, but {} is not one of its create calls", p.name, p.c_type, kind.name, f.name),
                        );
                        todo.push(format!("`{}` receives a {} that is not made by a create call", p.name, kind.spelled));
                    } else {
                        todo.push(format!("`{}` is a {}", p.name, p.c_type));
                    }
                    continue;
                }
            }
            if let Some((mutable, is_char)) = byte_ptr(t) {
                let len_next = next.filter(|q| is_int(&q.ty));
                if !mutable {
                    let named_len = len_next
                        .filter(|q| is_len_name(&q.name, &p.name))
                        .map(|q| (i + 1, q))
                        .or_else(|| {
                            params.iter().enumerate().skip(i + 1).find(|(j, q)| {
                                !used[*j] && is_int(&q.ty) && {
                                    let (qn, pn) = (q.name.to_ascii_lowercase(), p.name.to_ascii_lowercase());
                                    qn == format!("{pn}_len") || qn == format!("{pn}len") || qn == format!("{pn}_size") || qn == format!("n{pn}") || qn == format!("{pn}_length")
                                }
                            })
                        });
                    if let Some((j, q)) = named_len {
                        used[j] = true;
                        arg(
                            vec![("bytes", s("in")), ("len", s(&q.name))],
                            format!("`{}` is a {} with its length in `{}`", p.name, p.c_type, q.name),
                        );
                    } else if is_char {
                        arg(
                            vec![("bytes", s("in")), ("cstring", Val::Bool(true))],
                            format!("`{}` is a {} without a length: guessed a NUL-terminated string", p.name, p.c_type),
                        );
                    } else {
                        todo.push(format!("`{}` is a {} without a length parameter", p.name, p.c_type));
                    }
                    continue;
                }
                // A writable buffer: given to C (adopt), filled to a capacity, or to a size_t*.
                if let Some(q) = len_next.filter(|q| is_cap_name(&q.name, &p.name)) {
                    let adopt = if is_adopt_name(&f.name) { pointee(t).and_then(|pt| self.alloc_for(pt)) } else { None };
                    used[i + 1] = true;
                    match adopt {
                        Some(alloc) => {
                            let free = pointee(t).and_then(|pt| self.free_for(pt)).unwrap_or_else(|| "free".into());
                            arg(
                                vec![("adopt", s(&alloc)), ("free", s(&free)), ("len", s(&q.name))],
                                format!(
                                    "`{}` is a writable {} with its length in `{}`, and {} says it takes the buffer over: guessed a buffer from {alloc}, freed with {free} when the call fails",
                                    p.name, p.c_type, q.name, f.name
                                ),
                            );
                            if g.ok.is_none() && is_int(&f.ret) {
                                g.ok = Some(">= 0".into());
                                g.review.push("guessed `ok = \">= 0\"` (the call keeps the buffer on success): check".into());
                            }
                        }
                        None => arg(
                            vec![("bytes", s("out")), ("cap", s(&q.name))],
                            format!(
                                "`{}` is a writable {} with its capacity in `{}`; if the call returns how many bytes it wrote, add written = \"return\"",
                                p.name, p.c_type, q.name
                            ),
                        ),
                    }
                    continue;
                }
                if let Some(q) = next.filter(|q| int_out_ptr(&q.ty)) {
                    used[i + 1] = true;
                    arg(
                        vec![("bytes", s("out")), ("cap_ptr", s(&q.name))],
                        format!(
                            "`{}` is a writable {} followed by `{}` ({}): guessed capacity in, bytes written out",
                            p.name, p.c_type, q.name, q.c_type
                        ),
                    );
                    continue;
                }
                todo.push(format!("`{}` is a writable {} without a capacity parameter", p.name, p.c_type));
                continue;
            }
            match t {
                // T** of something that is not a handle: memory handed to the caller.
                CType::Ptr { mutable: true, pointee: inner } if matches!(**inner, CType::Ptr { .. }) => {
                    let elem = pointee(inner).cloned().unwrap_or(CType::Void);
                    let Some(free) = self.free_for(&elem) else {
                        todo.push(format!("`{}` ({}) receives memory the header has no function to free", p.name, p.c_type));
                        continue;
                    };
                    let takes = self
                        .frees
                        .iter()
                        .find(|(i, _)| self.f(**i).name == free)
                        .map(|(i, _)| self.f(*i).params[0].c_type.clone())
                        .unwrap_or_default();
                    let why = format!("{free} takes a {takes}");
                    let mut keys = vec![("owned", s(&free))];
                    let mut review = format!("`{}` is a {}: guessed C hands the caller memory there, freed with {free} ({why})", p.name, p.c_type);
                    if let Some(q) = next.filter(|q| int_out_ptr(&q.ty)) {
                        used[i + 1] = true;
                        keys.push(("len", s(&q.name)));
                        review.push_str(&format!("; its length comes back in `{}`", q.name));
                    }
                    arg(keys, review);
                }
                CType::Ptr { mutable: true, pointee: inner }
                    if matches!(&**inner, CType::Named(n) if self.api.records.contains(n)) || matches!(**inner, CType::Int { .. } | CType::Float { .. } | CType::Bool) =>
                {
                    arg(vec![("out", Val::Bool(true))], format!("`{}` is a writable {}: guessed C fills it (an out parameter)", p.name, p.c_type));
                }
                CType::Ptr { .. } | CType::Array { .. } | CType::Named(_) | CType::Unknown(_) | CType::FnPtr { .. } => {
                    todo.push(format!("`{}` is a {}", p.name, p.c_type));
                }
                CType::Int { .. } | CType::Float { .. } | CType::Bool | CType::Void => {}
            }
        }
        // One call may use one handle of each kind (the harness picks one live handle per kind).
        let mut per_kind: Vec<(String, Vec<String>)> = Vec::new();
        for a in &g.args {
            for (k, v) in &a.keys {
                if let (&"handle", Val::Str(kind)) = (k, v) {
                    match per_kind.iter_mut().find(|(x, _)| x == kind) {
                        Some((_, ps)) => ps.push(a.param.clone()),
                        None => per_kind.push((kind.clone(), vec![a.param.clone()])),
                    }
                }
            }
        }
        if let Some((kind, ps)) = per_kind.iter().find(|(_, ps)| ps.len() > 1) {
            if g.exclude.is_none() {
                let names: Vec<String> = ps.iter().map(|p| format!("`{p}`")).collect();
                g.exclude = Some(format!(
                    "takes {} `{kind}` handles ({}): one call may use one handle of each kind",
                    ps.len(),
                    names.join(", ")
                ));
                g.review.push("excluded: a call may take one handle of each kind; describe it differently or keep it out".into());
            }
        }
        if g.exclude.is_none() && !todo.is_empty() {
            g.exclude = Some(format!(
                "seam init could not guess every argument ({}): describe them in args and delete this line",
                todo.join("; ")
            ));
            g.review.push("excluded until the arguments above are described".into());
        }
        g
    }
}

/// A handle kind's name from its C type: library prefix and `_t`/`_s` suffix dropped, in
/// snake case (`seeded_store` -> `store`, `z_stream_s` -> `z_stream`).
pub fn kind_base(ty: &str, prefixes: &[String]) -> String {
    let mut t = ty;
    for p in prefixes {
        if let Some(rest) = t.strip_prefix(p.as_str()).filter(|r| !r.is_empty()) {
            t = rest;
            break;
        }
    }
    for suffix in ["_struct", "_st", "_t", "_s"] {
        if let Some(rest) = t.strip_suffix(suffix).filter(|r| !r.is_empty()) {
            t = rest;
            break;
        }
    }
    words(t).join("_")
}

/// A destroy call's name without its "ends it" words and library prefix (`inflateBackEnd` ->
/// `inflate_back`).
fn dtor_stem(name: &str, prefixes: &[String]) -> String {
    let mut n = name;
    for p in prefixes {
        if let Some(rest) = n.strip_prefix(p.as_str()).filter(|r| !r.is_empty()) {
            n = rest;
            break;
        }
    }
    words(n)
        .into_iter()
        .filter(|w| !DTOR_WORDS.contains(&w.trim_end_matches(|c: char| c.is_ascii_digit())))
        .collect::<Vec<_>>()
        .join("_")
}

/// Common name prefixes of the functions (`seeded_`), most used first: used to name kinds.
pub fn common_prefixes(names: &[&str]) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for n in names {
        if let Some(i) = n.find('_').filter(|&i| i > 0) {
            *counts.entry(n[..=i].to_string()).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().filter(|(_, c)| *c * 2 >= names.len().max(1) && *c > 1).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut seen = HashSet::new();
    v.into_iter().map(|(p, _)| p).filter(|p| seen.insert(p.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_words_and_role_names() {
        assert_eq!(words("inflateBackEnd"), ["inflate", "back", "end"]);
        assert_eq!(words("seeded_buf_free"), ["seeded", "buf", "free"]);
        assert_eq!(words("deflateInit2_"), ["deflate", "init2"]);
        assert!(is_ctor_name("seeded_open") && is_ctor_name("deflateInit2_") && is_ctor_name("gzopen") && is_ctor_name("xmlNewDoc"));
        assert!(!is_ctor_name("seeded_write") && !is_ctor_name("seeded_take"));
        assert!(is_dtor_name("seeded_close") && is_dtor_name("inflateEnd") && is_dtor_name("gzclose") && is_dtor_name("xmlFreeDoc"));
        assert!(!is_dtor_name("seeded_append") && !is_dtor_name("send") && !is_dtor_name("seeded_describe"));
        assert!(is_len_name("len", "data") && is_len_name("out_len", "out") && is_len_name("nbytes", "buf") && is_len_name("ndata", "data"));
        assert!(!is_len_name("flags", "data") && !is_len_name("off", "data"));
        assert!(is_cap_name("cap", "out") && is_cap_name("outlen", "out"));
        assert_eq!(kind_base("seeded_store", &["seeded_".into()]), "store");
        assert_eq!(kind_base("z_stream_s", &[]), "z_stream");
        assert_eq!(kind_base("FooCtx", &[]), "foo_ctx");
        assert_eq!(dtor_stem("inflateBackEnd", &[]), "inflate_back");
        assert_eq!(common_prefixes(&["seeded_open", "seeded_close", "other"]), ["seeded_"]);
    }
}
