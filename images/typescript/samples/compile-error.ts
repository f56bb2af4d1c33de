const x: number = 'a';
console.log(x);
